(** * I3: the score-spread identity [D^2 = 2 Var_mu(s) <= 2 G^2].

    Coq counterpart of [Proofs/I3-score-spread.md].  Parts (a) and (c), and step 5 of (b), are
    proved for ANY family of vectors [s : 'I_K -> 'rV_d] and any distribution [mu]; the score
    of a log-linear policy enters only through [score pi phi] ([Setting.v]: the feature row
    minus its mean under [pi]), whose properties used here are [I3_score_difference] (step 1)
    and [I3_score_mean] (step 5).  That [score] is the gradient of [log pi] (the calculus
    in step 1) and the matrix form of the Fisher information (step 6) are not formalised;
    the Fisher trace is [fisher_trace pi s = E_pi ||s||^2] by definition. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section I3.

Variable R : rcfType.
Variables K d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu pi : 'I_K -> R) (s phi : 'I_K -> vec).

(** ** Vector helpers. *)
Lemma dotNr (u v : vec) : dot u (- v) = - dot u v.
Proof. by rewrite dotC dotNl dotC. Qed.

Lemma dotZr (c : R) (u v : vec) : dot u (c *: v) = c * dot u v.
Proof. by rewrite dotC dotZl dotC. Qed.

Lemma dot_sumr (I : finType) (u : vec) (f : I -> vec) :
  dot u (\sum_i f i) = \sum_i dot u (f i).
Proof. by rewrite dotC dot_suml; apply: eq_bigr => i _; rewrite dotC. Qed.

Lemma dot0l (u : vec) : dot 0 u = 0.
Proof. by rewrite /dot big1 // => k _; rewrite mxE mul0r. Qed.

Lemma norm2N (u : vec) : norm2 (- u) = norm2 u.
Proof. by rewrite -scaleN1r norm2Z sqrrN expr1n mul1r. Qed.

Lemma norm2B (u v : vec) : norm2 (u - v) = norm2 u - 2 * dot u v + norm2 v.
Proof. by rewrite norm2D dotNr norm2N mulrN. Qed.

Lemma norm2_0 : norm2 (0 : vec) = 0.
Proof. exact: dot0l. Qed.

(** ** Expectation helpers. *)
Lemma Eone_ge0 mu (g : 'I_K -> R) :
  (forall i, 0 <= mu i) -> (forall i, 0 <= g i) -> 0 <= Eone mu g.
Proof. by move=> m0 g0; apply: sumr_ge0 => i _; rewrite mulr_ge0. Qed.

Lemma Epair_left mu (g : 'I_K -> R) :
  \sum_i mu i = 1 -> Epair mu (fun i _ => g i) = Eone mu g.
Proof.
move=> s1; apply: eq_bigr => i _.
rewrite -(mulr1 (mu i * g i)) -s1 mulr_sumr; apply: eq_bigr => j _; ring.
Qed.

Lemma Epair_right mu (g : 'I_K -> R) :
  \sum_i mu i = 1 -> Epair mu (fun _ j => g j) = Eone mu g.
Proof.
move=> s1; rewrite /Epair /Eone -[RHS]mul1r -s1 mulr_suml; apply: eq_bigr => i _.
rewrite mulr_sumr; apply: eq_bigr => j _; ring.
Qed.

(** [||E_mu s||^2 = E_{i,j} s_i . s_j] (independence of [i] and [j]). *)
Lemma norm2_mean mu s :
  norm2 (mean_row mu s) = Epair mu (fun i j => dot (s i) (s j)).
Proof.
rewrite /norm2 /mean_row dot_suml; apply: eq_bigr => i _.
rewrite dotZl dot_sumr mulr_sumr; apply: eq_bigr => j _.
by rewrite dotZr; ring.
Qed.

(** Step 1: the mean cancels in a difference of scores. *)
Theorem I3_score_difference pi phi i j :
  score pi phi i - score pi phi j = phi i - phi j.
Proof. by rewrite /score opprB addrA subrK. Qed.

(** Step 2: [D^2 = 2 E_mu ||s||^2 - 2 ||E_mu s||^2], for every [mu] and every vectors [s]. *)
Theorem I3_spread_variance mu s : is_dist mu ->
  spread2 mu s = 2 * Eone mu (fun y => norm2 (s y)) - 2 * norm2 (mean_row mu s).
Proof.
move=> [_ s1]; rewrite norm2_mean /spread2.
have e : forall i j, norm2 (s i - s j)
    = norm2 (s i) + (norm2 (s j) + (-2) * dot (s i) (s j)).
  by move=> i j; rewrite norm2B; ring.
rewrite (eq_Epair _ e) EpairD EpairD Epair_left // Epair_right // EpairZ.
ring.
Qed.

(** The variance form also reads [D^2 = 2 E_mu ||s - E_mu s||^2]. *)
Lemma I3_spread_centred mu s : is_dist mu ->
  spread2 mu s = 2 * Eone mu (fun y => norm2 (s y - mean_row mu s)).
Proof.
move=> hmu; have [_ s1] := hmu; rewrite I3_spread_variance //.
set m := mean_row mu s.
have e : forall y, norm2 (s y - m) = norm2 (s y) + (norm2 m - 2 * dot (s y) m).
  by move=> y; rewrite norm2B; ring.
have dm : dot m m = \sum_y mu y * dot (s y) m.
  by rewrite {1}/m /mean_row dot_suml; apply: eq_bigr => y _; rewrite dotZl.
have -> : Eone mu (fun y => norm2 (s y - m))
    = Eone mu (fun y => norm2 (s y)) + (\sum_y mu y) * norm2 m - 2 * dot m m.
  rewrite /Eone dm mulr_suml mulr_sumr -big_split -sumrB /=.
  by apply: eq_bigr => y _; rewrite e; ring.
rewrite s1 /norm2; ring.
Qed.

(** A nonneg average is at most its largest value: [E_mu ||s||^2 <= G^2]. *)
Lemma Eone_norm2_le mu s G : is_dist mu -> score_bound s G ->
  Eone mu (fun y => norm2 (s y)) <= G ^+ 2.
Proof.
move=> [m0 s1] [G0 sG].
have le : forall y, norm2 (s y) <= G ^+ 2.
  move=> y; rewrite -sqr_norm ler_pexpn2r ?nnegrE ?norm_ge0 //; exact: sG.
rewrite -[G ^+ 2]mul1r -s1 mulr_suml; apply: ler_sum => y _.
by apply: ler_wpmul2l; [exact: m0 | exact: le].
Qed.

(** Step 3: [D^2 <= 2 E_mu ||s||^2 <= 2 G^2], for every [mu] and every vectors [s]. *)
Lemma I3_step3a mu s : is_dist mu -> spread2 mu s <= 2 * Eone mu (fun y => norm2 (s y)).
Proof.
move=> hmu; rewrite I3_spread_variance // ler_subl_addr ler_addl.
by rewrite mulr_ge0 ?ler0n ?norm2_ge0.
Qed.

Theorem I3_spread_le mu s G : is_dist mu -> score_bound s G -> spread2 mu s <= 2 * G ^+ 2.
Proof.
move=> hmu hG; apply: le_trans (I3_step3a s hmu) _.
by rewrite ler_pmul2l ?ltr0n //; exact: Eone_norm2_le.
Qed.

Lemma spread2_ge0 mu s : (forall i, 0 <= mu i) -> 0 <= spread2 mu s.
Proof. by move=> m0; apply: Epair_ge0 => // i j; exact: norm2_ge0. Qed.

(** [D <= sqrt 2 * G], the form B1 and B2 use. *)
Theorem I3_sqrt_spread_le mu s G : is_dist mu -> score_bound s G ->
  Num.sqrt (spread2 mu s) <= Num.sqrt 2 * G.
Proof.
move=> hmu hG; have [G0 _] := hG.
rewrite -(ger0_norm G0) -sqrtr_sqr -sqrtrM ?ler0n //.
exact/ler_wsqrtr/I3_spread_le.
Qed.

(** Step 4: the cruder per-pair bound [||s_i - s_j|| <= 2 G], hence [D^2 <= 4 G^2]. *)
Lemma I3_step4 s G i j : score_bound s G -> norm (s i - s j) <= 2 * G.
Proof.
move=> [G0 sG]; apply: le_trans (normD _ _) _.
have -> : norm (- s j) = norm (s j) by rewrite -scaleN1r normZ normrN normr1 mul1r.
have -> : 2 * G = G + G by ring.
by rewrite ler_add.
Qed.

(** Step 5: the scores have mean 0 under the policy. *)
Theorem I3_score_mean pi phi : is_dist pi -> mean_row pi (score pi phi) = 0.
Proof.
move=> [_ s1]; rewrite /mean_row /score.
have -> : \sum_k pi k *: (phi k - mean_row pi phi)
    = \sum_k pi k *: phi k - (\sum_k pi k) *: mean_row pi phi.
  by rewrite scaler_suml -sumrB; apply: eq_bigr => k _; rewrite scalerBr.
by rewrite s1 scale1r subrr.
Qed.

(** Step 7 (part (c)): on-policy, [D^2 = 2 tr F]. *)
Theorem I3_spread_fisher pi phi : is_dist pi ->
  spread2 pi (score pi phi) = 2 * fisher_trace pi (score pi phi).
Proof.
move=> hpi; rewrite I3_spread_variance // I3_score_mean // norm2_0 mulr0 subr0.
by [].
Qed.

(** Step 8: on-policy, [tr F <= G^2]. *)
Theorem I3_fisher_le pi phi G : is_dist pi -> score_bound (score pi phi) G ->
  fisher_trace pi (score pi phi) <= G ^+ 2.
Proof. exact: Eone_norm2_le. Qed.

End I3.
