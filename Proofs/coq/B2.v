(** * B2: at the reference, [||grad L|| <= sqrt 2 beta G sqrt PVar_labels].

    Coq counterpart of [Proofs/B2-at-reference.md].  The md assumes pairs from the policy,
    [mu = pi_theta = pi_ref]; every statement here holds for ANY pair distribution [mu] (with
    [pvar mu q] the labels' PVar over pairs from [mu], and [E_mu ||s||^2] in place of [tr F],
    as the md itself remarks for its second proof).  With [mu = pi] and [s = score pi phi],
    [fisher_trace mu s] is [tr F].  "At the reference" is [at_reference p] ([p = 1/2] on every
    pair, step 1 of the md; that equal implicit rewards give [sigma 0 = 1/2] is not formalised).
    Every hypothesis on the labels [q] is antisymmetry only ([q j i = 1 - q i j]); the range
    [0 <= q <= 1] of [is_pref] is not assumed.

    First proof (steps 1–3): B1 with [PVar_theta = 0] ([B2], [B2_D], [B2_fisher]).
    Second proof (steps 4–14): the identity [grad = -2 beta sum_i mu_i m_i s_i] and
    [E_mu m^2 <= PVar/2] ([B2_second]).  For the halving (steps 8–12 of the md, via the operator
    norm of an antisymmetric matrix) we give an elementary proof with the same content:
    [2 E m^2 = E[(m_i - m_j) X_ij]] by antisymmetry, then Cauchy–Schwarz and
    [E (m_i - m_j)^2 <= 2 E m^2]; see [B2_step12]. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2 I3 B0 I1 B1.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section B2.

Variable R : rcfType.
Variables K d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu : 'I_K -> R) (p q : 'I_K -> 'I_K -> R) (s : 'I_K -> vec).

(** ** First proof: B1 at the reference. *)
(** Step 1: at the reference [p] is a preference matrix (antisymmetric, in [[0, 1]]). *)
Lemma B2_step1 p : at_reference p -> is_pref p.
Proof.
move=> ref; split => [i j|i j]; rewrite !ref; first by field.
by rewrite divr_ge0 ?ler01 ?ler0n //= ler_pdivr_mulr ?ltr0n // mul1r ler1n.
Qed.

(** Step 2: [PVar_theta = 0] (any [mu]). *)
Lemma B2_step2 mu p : is_dist mu -> at_reference p -> pvar mu p = 0.
Proof. exact: I2_pvar_reference. Qed.

(** At the reference the disagreement is the labels' PVar ([delta^2 = PVar_labels]). *)
Lemma B2_disagreement mu p q : is_dist mu -> at_reference p ->
  (forall i j, q j i = 1 - q i j) -> disagreement2 mu p q = pvar mu q.
Proof.
move=> hmu ref aq; rewrite (I2_pvar_centred hmu aq); apply: eq_Epair => i j.
by rewrite ref -sqrrN opprB.
Qed.

(** Step 3, middle form: [||grad L|| <= beta D sqrt PVar_labels] (B0 at the reference). *)
Theorem B2_D beta mu p q s : 0 <= beta -> is_dist mu -> at_reference p ->
  (forall i j, q j i = 1 - q i j) ->
  norm (grad beta mu p q s) <= beta * Num.sqrt (spread2 mu s) * Num.sqrt (pvar mu q).
Proof. by move=> b0 hmu ref aq; rewrite -(B2_disagreement hmu ref aq); exact: B0. Qed.

(** Step 3, middle form with the Fisher trace:
    [||grad L|| <= sqrt 2 beta sqrt PVar_labels sqrt (E_mu ||s||^2)]. *)
Theorem B2_fisher beta mu p q s : 0 <= beta -> is_dist mu -> at_reference p ->
  (forall i j, q j i = 1 - q i j) ->
  norm (grad beta mu p q s)
  <= Num.sqrt 2 * beta * Num.sqrt (pvar mu q) * Num.sqrt (fisher_trace mu s).
Proof.
move=> b0 hmu ref aq; apply: le_trans (B2_D s b0 hmu ref aq) _.
have h : Num.sqrt (spread2 mu s) <= Num.sqrt 2 * Num.sqrt (fisher_trace mu s).
  by rewrite -sqrtrM ?ler0n //; apply: ler_wsqrtr; exact: I3_step3a.
have e : Num.sqrt 2 * beta * Num.sqrt (pvar mu q) * Num.sqrt (fisher_trace mu s)
    = beta * (Num.sqrt 2 * Num.sqrt (fisher_trace mu s)) * Num.sqrt (pvar mu q) by ring.
by rewrite e ler_wpmul2r ?sqrtr_ge0 // ler_wpmul2l.
Qed.

(** B2 as stated: [||grad L|| <= sqrt 2 beta G sqrt PVar_labels], for any [mu]. *)
Theorem B2 beta mu p q s G : 0 <= beta -> is_dist mu -> at_reference p ->
  (forall i j, q j i = 1 - q i j) -> score_bound s G ->
  norm (grad beta mu p q s) <= Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q).
Proof.
move=> b0 hmu ref aq hG.
have := B1_G b0 hmu (proj1 (B2_step1 ref)) aq hG.
by rewrite B2_step2 // sqrtr0 add0r.
Qed.

(** ** Second proof: where [sqrt 2] comes from. *)
(** [m_i = sum_j mu_j X_ij] with [X = q - 1/2]: how much [i] beats a random response. *)
Definition mwin mu q (i : 'I_K) : R := \sum_j mu j * (q i j - 1 / 2).

(** Steps 4–5: at the reference [grad L = -2 beta sum_i mu_i m_i s_i]. *)
Lemma B2_step5 beta mu p q s : at_reference p -> (forall i j, q j i = 1 - q i j) ->
  grad beta mu p q s = - ((2 * beta) *: \sum_i (mu i * mwin mu q i) *: s i).
Proof.
move=> ref aq; rewrite I1_grad_residual //; last by have [] := B2_step1 ref.
rewrite -scalerN -sumrN; congr (_ *: _); apply: eq_bigr => i _.
rewrite -scaleNr; congr (_ *: _); rewrite /residual /mwin mulr_sumr -sumrN.
by apply: eq_bigr => j _; rewrite ref; ring.
Qed.

(** Cauchy–Schwarz for one response drawn from [mu]. *)
Lemma Eone_cs_sqrt mu (a b : 'I_K -> R) : (forall i, 0 <= mu i) ->
  Eone mu (fun i => a i * b i)
  <= Num.sqrt (Eone mu (fun i => a i ^+ 2)) * Num.sqrt (Eone mu (fun i => b i ^+ 2)).
Proof.
move=> m0; rewrite -sqrtrM; last by apply: Eone_ge0 => // i; exact: sqr_ge0.
apply: le_trans (ler_norm _) _; rewrite -sqrtr_sqr; apply: ler_wsqrtr.
rewrite /Eone (eq_bigr (fun i => mu i * a i * b i)) => [|i _]; last by rewrite mulrA.
exact: cauchy_schwarz_weighted.
Qed.

(** Step 6: [||sum_i mu_i m_i s_i|| <= sqrt (E_mu m^2) sqrt (E_mu ||s||^2)]. *)
Lemma B2_step6 mu q s : (forall i, 0 <= mu i) ->
  norm (\sum_i (mu i * mwin mu q i) *: s i)
  <= Num.sqrt (Eone mu (fun i => mwin mu q i ^+ 2)) * Num.sqrt (fisher_trace mu s).
Proof.
move=> m0; apply: le_trans (norm_sum _) _.
have -> : Eone mu (fun i => mwin mu q i ^+ 2) = Eone mu (fun i => `|mwin mu q i| ^+ 2).
  by apply: eq_bigr => i _; rewrite real_normK ?num_real.
have -> : fisher_trace mu s = Eone mu (fun i => norm (s i) ^+ 2).
  by apply: eq_bigr => i _; rewrite sqr_norm.
refine (le_trans _ (Eone_cs_sqrt (fun i => `|mwin mu q i|) (fun i => norm (s i)) m0)).
apply: ler_sum => i _.
by rewrite normZ normrM (ger0_norm (m0 i)) mulrA.
Qed.

(** Renaming [i <-> j] in a pair expectation. *)
Lemma Epair_swap mu (f : 'I_K -> 'I_K -> R) : Epair mu f = Epair mu (fun i j => f j i).
Proof.
rewrite /Epair exchange_big /=; apply: eq_bigr => i _; apply: eq_bigr => j _.
by rewrite (mulrC (mu j)).
Qed.

Lemma mwin_mul mu q (c : R) i :
  c * mwin mu q i = \sum_j mu j * (c * (q i j - 1 / 2)).
Proof. by rewrite /mwin mulr_sumr; apply: eq_bigr => j _; ring. Qed.

(** Steps 8–12 (elementary form): [E_mu m^2 <= PVar_labels / 2]. *)
Lemma B2_step12 mu q : is_dist mu -> (forall i j, q j i = 1 - q i j) ->
  Eone mu (fun i => mwin mu q i ^+ 2) <= pvar mu q / 2.
Proof.
move=> hmu aq; have [m0 s1] := hmu.
set m := mwin mu q; set M := Eone mu (fun i => m i ^+ 2).
set X := fun i j => q i j - 1 / 2.
have aX : forall i j, X j i = - X i j by move=> i j; rewrite /X /= aq; field.
have M0 : 0 <= M by apply: Eone_ge0 => // i; exact: sqr_ge0.
have P0 : 0 <= pvar mu q by exact: pvar_ge0.
(* [M = E[m_i X_ij]] *)
have e1 : M = Epair mu (fun i j => m i * X i j).
  apply: eq_bigr => i _; rewrite expr2 mulrA (mwin_mul _ _ (mu i * m i)).
  by apply: eq_bigr => j _; rewrite /X /=; ring.
(* [M = E[- m_j X_ij]], renaming and antisymmetry *)
have e2 : M = Epair mu (fun i j => - (m j * X i j)).
  by rewrite e1 Epair_swap; apply: eq_Epair => i j; rewrite aX mulrN.
(* [2 M = E[(m_i - m_j) X_ij]] *)
have e3 : 2 * M = Epair mu (fun i j => (m i - m j) * X i j).
  have -> : 2 * M = M + M by ring.
  by rewrite {1}e1 e2 -EpairD; apply: eq_Epair => i j; ring.
(* [E (m_i - m_j)^2 <= 2 M] *)
have e4 : Epair mu (fun i j => (m i - m j) ^+ 2) <= 2 * M.
  have -> : Epair mu (fun i j => (m i - m j) ^+ 2)
      = Epair mu (fun i _ => m i ^+ 2) + Epair mu (fun _ j => m j ^+ 2)
        - 2 * Epair mu (fun i j => m i * m j).
    by rewrite -EpairZ -EpairD -EpairB; apply: eq_Epair => i j; ring.
  rewrite Epair_left // Epair_right // -/M.
  have -> : Epair mu (fun i j => m i * m j) = Eone mu m ^+ 2.
    rewrite /Epair /Eone expr2 mulr_suml; apply: eq_bigr => i _.
    by rewrite mulr_sumr; apply: eq_bigr => j _; ring.
  rewrite ler_subl_addr; have -> : M + M = 2 * M by ring.
  by rewrite ler_addl mulr_ge0 ?ler0n ?sqr_ge0.
(* Cauchy–Schwarz: [(2M)^2 <= E (m_i - m_j)^2 * PVar <= 2 M * PVar] *)
have cs : (2 * M) * (2 * M) <= (2 * M) * pvar mu q.
  rewrite -expr2 e3 (I2_pvar_centred hmu aq).
  apply: le_trans (Epair_cs _ _ m0) _; rewrite -e3 -/X.
  by rewrite ler_wpmul2r // ?Epair_ge0 // => i j; exact: sqr_ge0.
have [M00|Mpos] := eqVneq M 0.
  by rewrite M00 divr_ge0 ?ler0n.
have M2 : 0 < 2 * M by rewrite mulr_gt0 ?ltr0n // lt_def Mpos M0.
rewrite ler_pmul2l // in cs.
by rewrite ler_pdivl_mulr ?ltr0n // mulrC.
Qed.

(** Steps 13–14: the second proof of the middle form,
    [||grad L|| <= sqrt 2 beta sqrt PVar_labels sqrt (E_mu ||s||^2)], for any [mu]. *)
Theorem B2_second beta mu p q s : 0 <= beta -> is_dist mu -> at_reference p ->
  (forall i j, q j i = 1 - q i j) ->
  norm (grad beta mu p q s)
  <= Num.sqrt 2 * beta * Num.sqrt (pvar mu q) * Num.sqrt (fisher_trace mu s).
Proof.
move=> b0 hmu ref aq; have [m0 _] := hmu.
rewrite B2_step5 // -scaleN1r normZ normrN normr1 mul1r normZ.
rewrite ger0_norm ?mulr_ge0 ?ler0n //.
have P0 : 0 <= pvar mu q by exact: pvar_ge0.
have h1 := B2_step6 q s m0.
have h2 : Num.sqrt (Eone mu (fun i => mwin mu q i ^+ 2)) <= Num.sqrt (pvar mu q / 2).
  exact/ler_wsqrtr/B2_step12.
have e : Num.sqrt 2 * Num.sqrt (pvar mu q) = 2 * Num.sqrt (pvar mu q / 2).
  have -> : (2 : R) * Num.sqrt (pvar mu q / 2) = Num.sqrt (2 ^+ 2) * Num.sqrt (pvar mu q / 2).
    by rewrite sqrtr_sqr ger0_norm ?ler0n.
  by rewrite -!sqrtrM ?sqr_ge0 ?ler0n //; congr Num.sqrt; field.
have -> : Num.sqrt 2 * beta * Num.sqrt (pvar mu q) * Num.sqrt (fisher_trace mu s)
    = 2 * beta * (Num.sqrt (pvar mu q / 2) * Num.sqrt (fisher_trace mu s)).
  have -> : Num.sqrt 2 * beta * Num.sqrt (pvar mu q) * Num.sqrt (fisher_trace mu s)
      = beta * (Num.sqrt 2 * Num.sqrt (pvar mu q)) * Num.sqrt (fisher_trace mu s) by ring.
  by rewrite e; ring.
rewrite ler_wpmul2l ?mulr_ge0 ?ler0n //.
by apply: le_trans h1 _; rewrite ler_wpmul2r ?sqrtr_ge0.
Qed.

(** Step 14: [E_mu ||s||^2 <= G^2], so the second proof also gives B2. *)
Lemma B2_step14 mu s G : is_dist mu -> score_bound s G ->
  Num.sqrt (fisher_trace mu s) <= G.
Proof.
move=> hmu hG; have [G0 _] := hG.
rewrite -(ger0_norm G0) -sqrtr_sqr; exact/ler_wsqrtr/Eone_norm2_le.
Qed.

End B2.
