(** * T2: B2 on two responses at the reference, exactly.

    Coq counterpart of [Proofs/T2-b2-two-responses.md].  [K = 2] (responses [ord0], [ord_max],
    the md's 1 and 2), at the reference ([p = 1/2]), pairs from the policy
    [mu = pi = pi_ref = (a, b)] with [b = 1 - a], [0 < a < 1], log-linear scores
    [s = score mu phi] for any feature rows [phi] in ['rV_d], [Delta = phi_1 - phi_2], labels with
    [q j i = 1 - q i j] and [X = q 1 2 - 1/2] (Bradley-Terry is not needed; the sigmoid link
    [X = sigma(r_1 - r_2) - 1/2] is not formalised).  The md's table:

    - [T2_scores]: [s_1 = b Delta], [s_2 = -a Delta]; [T2_score_norms]: their norms;
    - [T2_G]: [G = max(a, b) ||Delta||] bounds every score and is attained;
    - [T2_pvar]: [PVar = 2 a b X^2];
    - [T2_grad]: [grad = -2 beta a b X Delta];
      [T2_norm_grad]: [||grad|| = 2 beta a b |X| ||Delta||];
    - [T2_B2_value]: [sqrt 2 beta G sqrt PVar = 2 beta max(a,b) sqrt(ab) |X| ||Delta||];
    - [T2_ratio]: [||grad|| = sqrt(min(a,b)/max(a,b)) * (sqrt 2 beta G sqrt PVar)] (the ratio,
      with no division by a possibly zero value), and its root-free form [T2_ratio_sq]:
      [||grad||^2 max(a,b) = min(a,b) (sqrt 2 beta G sqrt PVar)^2];
    - [T2_equality]: when [beta > 0], [X <> 0] and [Delta <> 0], B2 holds with equality iff
      [a = 1/2];
    - [T2_fisher]: [tr F = a b ||Delta||^2], so [sqrt(tr F)/G] is the ratio (where the loss is);
    - [T2_tabular_delta]: tabular features ([d = 2], [Delta = e_1 - e_2]) have
      [||Delta|| = sqrt 2]. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums T4.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.


Section T2.

Variable R : rcfType.
Variable d : nat.
Notation vec := 'rV[R]_d.

Variables (beta a : R) (mu : 'I_2 -> R) (p q : 'I_2 -> 'I_2 -> R) (phi : 'I_2 -> vec).

Hypothesis beta0 : 0 <= beta.
Hypothesis a0 : 0 < a.
Hypothesis a1 : a < 1.
Hypothesis mu_a : mu ord0 = a.
Hypothesis mu_b : mu ord_max = 1 - a.
Hypothesis p_ref : at_reference p.
Hypothesis q_anti : forall i j, q j i = 1 - q i j.

Local Notation b := (1 - a).
Local Notation s := (score mu phi).
Local Notation Delta := (phi ord0 - phi ord_max).
Local Notation X := (q ord0 ord_max - 1 / 2).

Lemma T2_b0 : 0 < b. Proof. by rewrite subr_gt0. Qed.

Lemma T2_mu_dist : is_dist mu.
Proof.
split; first by move=> i; case: (T4_ord2 i) => ->; rewrite ?mu_a ?mu_b ltW ?T2_b0.
by rewrite T4_sum2 mu_a mu_b addrC subrK.
Qed.

(** *** Step 1: the scores, their norms and [G]. *)
Lemma T2_scores : s ord0 = b *: Delta /\ s ord_max = (- a) *: Delta.
Proof.
by rewrite /score /mean_row T4_sum2 mu_a mu_b; split; apply/rowP => k; rewrite !mxE; fld.
Qed.

Lemma T2_score_norms : norm (s ord0) = b * norm Delta /\ norm (s ord_max) = a * norm Delta.
Proof.
have [h0 h1] := T2_scores; rewrite h0 h1 !normZ normrN.
by rewrite !ger0_norm ?(ltW a0) ?(ltW T2_b0).
Qed.

Theorem T2_G : score_bound s (Num.max a b * norm Delta)
             /\ exists y, norm (s y) = Num.max a b * norm Delta.
Proof.
have [n0 n1] := T2_score_norms.
have nD := norm_ge0 Delta.
case: (leP a b) => hab.
- split; last by exists ord0.
  split; first by rewrite mulr_ge0 ?(ltW T2_b0).
  move=> y; case: (T4_ord2 y) => ->; rewrite ?n0 ?n1 ?lexx //.
  by apply: ler_wpmul2r.
- split; last by exists ord_max.
  split; first by rewrite mulr_ge0 ?(ltW a0).
  move=> y; case: (T4_ord2 y) => ->; rewrite ?n0 ?n1 ?lexx //.
  by apply: ler_wpmul2r => //; exact: ltW.
Qed.

(** *** Step 2: [PVar = 2 a b X^2]. *)
Theorem T2_pvar : pvar mu q = 2 * a * b * X ^+ 2.
Proof. by rewrite (T4_two_pvar T2_mu_dist q_anti) mu_a mu_b. Qed.

(** *** Step 3: [grad = -2 beta a b X Delta] and its norm. *)
Theorem T2_grad : grad beta mu p q s = (- (2 * beta * a * b * X)) *: Delta.
Proof.
have [h0 h1] := T2_scores.
rewrite (T4_two_grad _ _ _ p_ref q_anti) mu_a mu_b h0 h1 -scalerBl.
by rewrite scalerA; congr (_ *: _); fld.
Qed.

Theorem T2_norm_grad : norm (grad beta mu p q s) = 2 * beta * a * b * `|X| * norm Delta.
Proof.
rewrite T2_grad normZ normrN !normrM (ger0_norm (ler0n _ 2)) (ger0_norm beta0).
by rewrite (ger0_norm (ltW a0)) (ger0_norm (ltW T2_b0)).
Qed.

(** *** Step 4: B2's value. *)
Lemma T2_sqrt_pvar : Num.sqrt (pvar mu q) = Num.sqrt (2 * a * b) * `|X|.
Proof.
rewrite T2_pvar sqrtrM ?sqrtr_sqr //.
by rewrite !mulr_ge0 ?ler0n ?(ltW a0) ?(ltW T2_b0).
Qed.

Lemma T2_sqrt2ab : Num.sqrt 2 * Num.sqrt (2 * a * b) = 2 * Num.sqrt (a * b).
Proof.
rewrite -mulrA sqrtrM ?ler0n // mulrA -expr2 sqr_sqrtr ?ler0n //.
Qed.

Theorem T2_B2_value :
  Num.sqrt 2 * beta * (Num.max a b * norm Delta) * Num.sqrt (pvar mu q)
  = 2 * beta * Num.max a b * Num.sqrt (a * b) * `|X| * norm Delta.
Proof.
rewrite T2_sqrt_pvar.
have e : Num.sqrt 2 * beta * (Num.max a b * norm Delta) * (Num.sqrt (2 * a * b) * `|X|)
       = (Num.sqrt 2 * Num.sqrt (2 * a * b)) * beta * Num.max a b * `|X| * norm Delta by fld.
by rewrite e T2_sqrt2ab; fld.
Qed.

(** *** Step 5: the ratio [sqrt(min/max)]. *)
Lemma T2_minmax : Num.min a b * Num.max a b = a * b.
Proof.
by case: (leP a b) => h //; rewrite mulrC.
Qed.

Lemma T2_max_gt0 : 0 < Num.max a b.
Proof. by rewrite lt_maxr a0. Qed.

Lemma T2_min_gt0 : 0 < Num.min a b.
Proof. by rewrite lt_minr a0 T2_b0. Qed.

Theorem T2_ratio :
  norm (grad beta mu p q s)
  = Num.sqrt (Num.min a b / Num.max a b)
    * (Num.sqrt 2 * beta * (Num.max a b * norm Delta) * Num.sqrt (pvar mu q)).
Proof.
rewrite T2_B2_value T2_norm_grad.
set M := Num.max a b; set m := Num.min a b.
have M0 := T2_max_gt0; have m0 := T2_min_gt0.
have key : Num.sqrt (m / M) * M * Num.sqrt (a * b) = a * b.
  rewrite -T2_minmax -/m -/M.
  have -> : Num.sqrt (m / M) * M * Num.sqrt (m * M)
          = Num.sqrt (m / M) * Num.sqrt (m * M) * M by fld.
  rewrite -sqrtrM ?divr_ge0 ?ltW //.
  have Mn : M != 0 by rewrite gt_eqF.
  have -> : m / M * (m * M) = m ^+ 2 by field.
  by rewrite sqrtr_sqr ger0_norm ?ltW.
have e : Num.sqrt (m / M) * (2 * beta * M * Num.sqrt (a * b) * `|X| * norm Delta)
       = 2 * beta * (Num.sqrt (m / M) * M * Num.sqrt (a * b)) * `|X| * norm Delta by fld.
by rewrite e key; fld.
Qed.

(** Root-free form: [||grad||^2 max(a,b) = min(a,b) (B2's value)^2]. *)
Theorem T2_ratio_sq :
  norm (grad beta mu p q s) ^+ 2 * Num.max a b
  = Num.min a b * (Num.sqrt 2 * beta * (Num.max a b * norm Delta) * Num.sqrt (pvar mu q)) ^+ 2.
Proof.
rewrite T2_ratio exprMn sqr_sqrtr ?divr_ge0 ?ltW ?T2_max_gt0 ?T2_min_gt0 //.
have Mn : Num.max a b != 0 by rewrite gt_eqF ?T2_max_gt0.
by field.
Qed.

(** *** Step 6: equality exactly when [a = 1/2]. *)
Lemma T2_norm_pos (u : vec) : u != 0 -> 0 < norm u.
Proof.
move=> un; rewrite lt_def norm_ge0 andbT; apply: contra un => /eqP n0.
have n2 : norm2 u = 0 by rewrite -sqr_norm n0 expr0n.
apply/eqP/rowP => k; rewrite mxE; apply/eqP; rewrite -sqrf_eq0; apply/eqP.
move: n2; rewrite /norm2 /dot => /psumr_eq0P h.
by rewrite expr2; apply: h => // j _; rewrite -expr2 sqr_ge0.
Qed.

Theorem T2_equality : 0 < beta -> X != 0 -> Delta != 0 ->
  (norm (grad beta mu p q s)
   = Num.sqrt 2 * beta * (Num.max a b * norm Delta) * Num.sqrt (pvar mu q))
  <-> a = 1 / 2.
Proof.
move=> bpos Xn Dn.
have V0 : 0 < Num.sqrt 2 * beta * (Num.max a b * norm Delta) * Num.sqrt (pvar mu q).
  rewrite T2_B2_value !mulr_gt0 ?ltr0Sn ?T2_max_gt0 ?normr_gt0 ?T2_norm_pos //.
  by rewrite sqrtr_gt0 mulr_gt0 ?T2_b0.
rewrite T2_ratio; split => [h | ha].
- have h1 : Num.sqrt (Num.min a b / Num.max a b) = 1.
    by apply: (mulIf (lt0r_neq0 V0)); rewrite mul1r.
  have h2 : Num.min a b = Num.max a b.
    have : Num.min a b / Num.max a b = 1.
      apply/eqP; rewrite -(eqr_sqrt _ ler01) ?sqrtr1 ?h1 //.
      by rewrite divr_ge0 ?ltW ?T2_min_gt0 ?T2_max_gt0.
    by move/divr1_eq.
  have hab : a = b by move: h2; case: (leP a b).
  by rewrite [LHS]splitr {2}hab; fld.
- have hb : 1 - a = 1 / 2 by rewrite ha; fld.
  have -> : Num.min a b / Num.max a b = 1 by rewrite hb ha minxx maxxx; fld.
  by rewrite sqrtr1 mul1r.
Qed.

(** Where the loss is for [a <> 1/2]: [tr F = a b ||Delta||^2]. *)
Theorem T2_fisher : fisher_trace mu s = a * b * norm Delta ^+ 2.
Proof.
have [n0 n1] := T2_score_norms.
rewrite /fisher_trace /Eone T4_sum2 -!sqr_norm n0 n1 mu_a mu_b; fld.
Qed.

End T2.

(** Tabular features: [d = 2], [phi_y = e_y], so [Delta = e_1 - e_2] and [||Delta|| = sqrt 2]. *)
Theorem T2_tabular_delta (R : rcfType) :
  norm ((delta_mx 0 ord0 : 'rV[R]_2) - delta_mx 0 ord_max) = Num.sqrt 2.
Proof.
rewrite /norm /norm2 /dot T4_sum2 !mxE /=.
by congr (Num.sqrt _); fld.
Qed.
