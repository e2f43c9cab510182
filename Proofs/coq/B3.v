(** * B3: the Chebyshev form (exponent 1/3).

    Coq counterpart of [Proofs/B3-chebyshev.md].  At the reference ([p = 1/2]), with
    [X_ij = q_ij - 1/2], [E = E_{i,j ~ mu}] (diagonal included) and labels with
    [q j i = 1 - q i j], [0 <= q <= 1]:

    - [B3_chebyshev]: [E|X| <= (3/2) PVar^(1/3)], stated cubed:
      [(E|X|)^3 <= (3/2)^3 PVar];
    - [B3]: [||grad|| <= 3 beta G PVar^(1/3)], stated cubed:
      [||grad||^3 <= (3 beta G)^3 PVar], proved along the md's steps 1-6;
    - [B3_via_T4]: the same bound as a corollary of [T4_cube] (constant 1 instead of 3).

    Cube roots: mathcomp has no cube-root function on a real closed field, so the statements are
    cubed.  The proof of step 6 needs the threshold [t = PVar^(1/3)]; its existence
    ([B3_cbrt]) follows from the intermediate value property of polynomials that every real
    closed field has ([poly_ivt], part of the structure, not an axiom).

    Hypotheses: the md states B3 for pairs from the policy ([mu = pi_theta = pi_ref]); as the md
    notes, steps 1-6 never use it, so everything here is proved for any pair distribution [mu].
    The md's step 4 asks [|X| < 1/2]; [|X| <= 1/2] (from [0 <= q <= 1]) is what is used. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums T4.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.


Section B3.

Variable R : rcfType.

(** ** Cube roots exist in a real closed field. *)
Lemma B3_cbrt (P : R) : 0 <= P -> exists2 r : R, 0 <= r & r ^+ 3 = P.
Proof.
move=> P0.
have ivt := @poly_ivt R ('X^3 - P%:P) 0 (1 + P).
have h01 : (0 : R) <= 1 + P by rewrite addr_ge0 ?ler01.
have ev : forall x : R, ('X^3 - P%:P).[x] = x ^+ 3 - P.
  by move=> x; rewrite !hornerE /=; fld.
have [|r /andP [r0 _] hr] := ivt h01.
  rewrite !ev expr0n /= sub0r oppr_le0 P0 /= subr_ge0.
  have -> : (1 + P) ^+ 3 = P + (1 + 2 * P + 3 * P ^+ 2 + P ^+ 3) by fld.
  by rewrite ler_addl !addr_ge0 ?ler01 ?mulr_ge0 ?ler0n ?exprn_ge0.
by exists r => //; move: hr; rewrite rootE ev subr_eq0 => /eqP.
Qed.

Variables K d : nat.
Notation resp := 'I_K.
Notation vec := 'rV[R]_d.

Variables (beta G : R) (mu : resp -> R) (p q : resp -> resp -> R) (s : resp -> vec).

Hypothesis beta0 : 0 <= beta.
Hypothesis mu_dist : is_dist mu.
Hypothesis p_ref : at_reference p.
Hypothesis q_pref : is_pref q.
Hypothesis s_bound : score_bound s G.

Local Notation Xl i j := (q i j - 1 / 2).

Lemma B3_mu0 i : 0 <= mu i. Proof. by case: mu_dist. Qed.

Lemma B3_absX i j : `|Xl i j| <= 1 / 2.
Proof.
have [anti /(_ i j) /andP [h0 h1]] := q_pref.
rewrite ler_norml; apply/andP; split.
  by rewrite ler_subr_addr addNr.
by rewrite ler_subl_addr -splitr.
Qed.

(** *** Expectations over pairs: monotone, linear, total mass 1. *)
Lemma B3_Epair_le (f g : resp -> resp -> R) :
  (forall i j, f i j <= g i j) -> Epair mu f <= Epair mu g.
Proof.
move=> fg; apply: ler_sum => i _; apply: ler_sum => j _.
by rewrite ler_wpmul2l ?mulr_ge0 ?B3_mu0.
Qed.

Lemma B3_Epair_affine (a b : R) (f : resp -> resp -> R) :
  Epair mu (fun i j => a + b * f i j) = a + b * Epair mu f.
Proof.
have [_ m1] := mu_dist.
rewrite /Epair.
have -> : \sum_i \sum_j mu i * mu j * (a + b * f i j)
        = a * (\sum_i \sum_j mu i * mu j) + b * (\sum_i \sum_j mu i * mu j * f i j).
  rewrite !mulr_sumr -big_split; apply: eq_bigr => i _.
  by rewrite !mulr_sumr -big_split; apply: eq_bigr => j _; fld.
by rewrite -(T4_sum_mul mu mu) m1 !mulr1.
Qed.

(** *** Step 1: at the reference [grad = beta E[-X (s_i - s_j)]]. *)
Lemma B3_step1 :
  grad beta mu p q s = beta *: \sum_i \sum_j (mu i * mu j * (- Xl i j)) *: (s i - s j).
Proof.
rewrite /grad; congr (_ *: _); apply: eq_bigr => i _; apply: eq_bigr => j _.
by rewrite p_ref; congr (_ *: _); fld.
Qed.

Lemma B3_normN (v : vec) : norm (- v) = norm v.
Proof. by rewrite -scaleN1r normZ normrN normr1 mul1r. Qed.

(** *** Step 2: [||grad|| <= beta E[|X| ||s_i - s_j||]] (triangle inequality). *)
Lemma B3_step2 :
  norm (grad beta mu p q s) <= beta * Epair mu (fun i j => `|Xl i j| * norm (s i - s j)).
Proof.
rewrite B3_step1 normZ ger0_norm // ler_wpmul2l //.
apply: le_trans (norm_sum _) _; apply: ler_sum => i _.
apply: le_trans (norm_sum _) _; apply: ler_sum => j _.
by rewrite normZ !normrM normrN (ger0_norm (B3_mu0 i)) (ger0_norm (B3_mu0 j)) !mulrA lexx.
Qed.

(** *** Step 3: [||s_i - s_j|| <= 2G], so [||grad|| <= 2 beta G E|X|]. *)
Lemma B3_diff_le i j : norm (s i - s j) <= 2 * G.
Proof.
have [_ sG] := s_bound.
have -> : 2 * G = G + G by fld.
by apply: le_trans (normD _ _) _; rewrite B3_normN; apply: ler_add; apply: sG.
Qed.

Lemma B3_step3 :
  norm (grad beta mu p q s) <= 2 * beta * G * Epair mu (fun i j => `|Xl i j|).
Proof.
apply: le_trans B3_step2 _.
have -> : 2 * beta * G * Epair mu (fun i j => `|Xl i j|)
        = beta * Epair mu (fun i j => `|Xl i j| * (2 * G)).
  rewrite /Epair !mulr_sumr; apply: eq_bigr => i _.
  by rewrite !mulr_sumr; apply: eq_bigr => j _; fld.
rewrite ler_wpmul2l //; apply: B3_Epair_le => i j.
by rewrite ler_wpmul2l ?normr_ge0 ?B3_diff_le.
Qed.

(** *** Step 4: for every [t >= 0], [E|X| <= t + (1/2) P(|X| > t)]. *)
Definition B3_tail (t : R) : R := Epair mu (fun i j => if t < `|Xl i j| then 1 else 0).

Lemma B3_step4 (t : R) : 0 <= t ->
  Epair mu (fun i j => `|Xl i j|) <= t + 1 / 2 * B3_tail t.
Proof.
move=> t0; rewrite /B3_tail -B3_Epair_affine; apply: B3_Epair_le => i j.
case: ltP => h.
  by rewrite mulr1 -[X in X <= _]add0r ler_add // B3_absX.
by rewrite mulr0 addr0.
Qed.

(** *** Step 5: Chebyshev, [P(|X| > t) <= PVar / t^2] for [t > 0]. *)
Lemma B3_step5 (t : R) : 0 < t -> B3_tail t <= pvar mu q / t ^+ 2.
Proof.
move=> t0; have t20 : 0 < t ^+ 2 by rewrite exprn_gt0.
rewrite (T4_pvar_centred mu_dist q_pref) mulr_suml /B3_tail.
apply: ler_sum => i _; rewrite mulr_suml; apply: ler_sum => j _.
rewrite /T4_X; case: ltP => h.
  rewrite mulr1 -mulrA ler_pemulr ?mulr_ge0 ?B3_mu0 // ler_pdivl_mulr // (mul1r (t ^+ 2)).
  have ht : `|Xl i j| ^+ 2 = Xl i j ^+ 2 by rewrite -normrX ger0_norm ?sqr_ge0.
  by rewrite -ht; apply: ler_expn2r; rewrite ?nnegrE ?normr_ge0 ?ltW.
rewrite mulr0; apply: divr_ge0; last exact: sqr_ge0.
by apply: mulr_ge0; [rewrite mulr_ge0 ?B3_mu0 | exact: sqr_ge0].
Qed.

(** *** Step 6: [E|X| <= t + PVar/(2 t^2)]; at [t^3 = PVar] this is [(3/2) t]. *)
Lemma B3_step6_bound (t : R) : 0 < t ->
  Epair mu (fun i j => `|Xl i j|) <= t + pvar mu q / (2 * t ^+ 2).
Proof.
move=> t0; apply: le_trans (B3_step4 (ltW t0)) _; rewrite ler_add2l.
have tn : t != 0 by rewrite gt_eqF.
have -> : pvar mu q / (2 * t ^+ 2) = 1 / 2 * (pvar mu q / t ^+ 2) by field.
by rewrite ler_wpmul2l ?B3_step5 // divr_ge0 ?ler01 ?ler0n.
Qed.

(** No threshold does better than [t = PVar^(1/3)] (the md's AM-GM remark): with
    [r^3 = PVar], [t + r^3/(2 t^2) - (3/2) r = (t - r)^2 (2t + r) / (2 t^2) >= 0]. *)
Lemma B3_step6_best (t r : R) : 0 < t -> 0 <= r ->
  3 / 2 * r <= t + r ^+ 3 / (2 * t ^+ 2).
Proof.
move=> t0 r0; rewrite -subr_ge0.
have tn : t != 0 by rewrite gt_eqF.
have -> : t + r ^+ 3 / (2 * t ^+ 2) - 3 / 2 * r = (t - r) ^+ 2 * (2 * t + r) / (2 * t ^+ 2).
  by field.
have h1 : 0 <= 2 * t + r by rewrite addr_ge0 // mulr_ge0 ?ler0n ?ltW.
have h2 : 0 <= 2 * t ^+ 2 by rewrite mulr_ge0 ?ler0n ?sqr_ge0.
by apply: divr_ge0 => //; apply: mulr_ge0 => //; exact: sqr_ge0.
Qed.

Lemma B3_Eabs0 : 0 <= Epair mu (fun i j => `|Xl i j|).
Proof.
apply: sumr_ge0 => i _; apply: sumr_ge0 => j _.
by rewrite !mulr_ge0 ?B3_mu0.
Qed.

(** [E|X| <= (3/2) PVar^(1/3)], cubed. *)
Theorem B3_chebyshev :
  Epair mu (fun i j => `|Xl i j|) ^+ 3 <= (3 / 2) ^+ 3 * pvar mu q.
Proof.
have P0 : 0 <= pvar mu q by rewrite (T4_pvar0 mu_dist q_pref).
have [r r0 hr] := B3_cbrt P0.
have [rz|rpos] := eqVneq r 0.
  (* PVar = 0: E|X| <= t for every t > 0, so E|X| = 0. *)
  have P00 : pvar mu q = 0 by rewrite -hr rz expr0n.
  have E0 : Epair mu (fun i j => `|Xl i j|) <= 0.
    set E := Epair _ _; case: (lerP E 0) => // Epos.
    have h : E <= E / 2.
      by move: (B3_step6_bound (divr_gt0 Epos (ltr0Sn _ 1))); rewrite P00 mul0r addr0.
    have h' : E * 2 <= E by rewrite -ler_pdivl_mulr ?ltr0Sn.
    by move: h'; rewrite ger_pmulr // leNgt ltr1n.
  have -> : Epair mu (fun i j => `|Xl i j|) = 0 by apply/eqP; rewrite eq_le E0 B3_Eabs0.
  by rewrite expr0n /= P00 mulr0.
have rgt : 0 < r by rewrite lt_def rpos r0.
have h := B3_step6_bound rgt.
have e : r + pvar mu q / (2 * r ^+ 2) = 3 / 2 * r.
  by rewrite -hr; field.
rewrite e in h.
rewrite -hr -exprMn; apply: ler_expn2r; rewrite ?nnegrE ?B3_Eabs0 //.
by rewrite mulr_ge0 // divr_ge0 ?ler0n.
Qed.

(** B3 as posed, by the md's route (steps 1-6): [||grad|| <= 3 beta G PVar^(1/3)], cubed. *)
Theorem B3 : norm (grad beta mu p q s) ^+ 3 <= (3 * beta * G) ^+ 3 * pvar mu q.
Proof.
have [G0 _] := s_bound.
set E := Epair mu (fun i j => `|Xl i j|).
have E0 : 0 <= E by exact: B3_Eabs0.
apply: le_trans (_ : (2 * beta * G * E) ^+ 3 <= _).
  apply: ler_expn2r; rewrite ?nnegrE ?norm_ge0 ?B3_step3 //.
  by rewrite !mulr_ge0 ?ler0n.
have -> : (2 * beta * G * E) ^+ 3 = (2 * beta * G) ^+ 3 * E ^+ 3 by fld.
have -> : (3 * beta * G) ^+ 3 * pvar mu q = (2 * beta * G) ^+ 3 * ((3 / 2) ^+ 3 * pvar mu q).
  by fld.
by rewrite ler_wpmul2l ?exprn_ge0 ?mulr_ge0 ?ler0n // B3_chebyshev.
Qed.

(** The same bound as a corollary of T4 (constant 1 there): B3's ratio is at most [1/3]. *)
Theorem B3_via_T4 : norm (grad beta mu p q s) ^+ 3 <= (3 * beta * G) ^+ 3 * pvar mu q.
Proof.
have [G0 _] := s_bound.
apply: le_trans (T4_cube beta0 mu_dist p_ref q_pref s_bound) _.
have -> : (3 * beta * G) ^+ 3 * pvar mu q = 27 * ((beta * G) ^+ 3 * pvar mu q) by fld.
rewrite ler_pemull ?mulr_ge0 ?exprn_ge0 ?(T4_pvar0 mu_dist q_pref) //.
by rewrite ler1n.
Qed.

End B3.
