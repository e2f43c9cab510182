(** * I1: the gradient identity [grad L = beta E[(p - q)(s_i - s_j)] = 2 beta Phi^T c].

    Coq counterpart of [Proofs/I1-gradient-identity.md], its ALGEBRAIC part (steps 4–6).
    NOT FORMALISED: the calculus link, steps 1–3 of the md (that the pair form [grad] of
    [Setting.v] is the derivative of the DPO loss, through [d ell/da = sigma(a) - q] and the
    chain rule).  That link stays checked numerically (suite I1 and suite Gradient).
    Here [grad] is the pair form by definition, and we prove that it equals the residual form:
    for any family of vectors [s] ([I1_grad_residual]) and, for the scores of a log-linear
    policy, with the feature rows [phi] in place of the scores ([I1_gradient_identity]); the
    residual sums to 0 ([I1_residual_sum]).  Only antisymmetry of [p] and [q] about 1/2 is used
    (in fact only that of [p - q]); [mu] is arbitrary (no sign or normalisation needed). *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section I1.

Variable R : rcfType.
Variables K d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu pi : 'I_K -> R) (p q : 'I_K -> 'I_K -> R) (s phi : 'I_K -> vec).

(** The pair weights [w_ij = mu_i mu_j (p_ij - q_ij)]. *)
Definition weight mu p q (i j : 'I_K) : R := mu i * mu j * (p i j - q i j).

(** Step 4: [w_ji = - w_ij]. *)
Lemma I1_step4 mu p q :
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  forall i j, weight mu p q j i = - weight mu p q i j.
Proof. by move=> ap aq i j; rewrite /weight ap aq; ring. Qed.

(** Step 6: [sum_i c_i = 0]. *)
Theorem I1_residual_sum mu p q :
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  \sum_i residual mu p q i = 0.
Proof.
move=> ap aq; have := Epair_antisym mu (f := fun i j => p i j - q i j).
by apply=> i j; rewrite ap aq; ring.
Qed.

(** Step 5: [sum_{i,j} w_ij (s_i - s_j) = 2 sum_i c_i s_i], for any vectors [s]. *)
Lemma I1_step5 mu p q s :
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  \sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j)
  = 2 *: \sum_i residual mu p q i *: s i.
Proof.
move=> ap aq; have w := I1_step4 mu ap aq.
have first : \sum_i \sum_j weight mu p q i j *: s i = \sum_i residual mu p q i *: s i.
  by apply: eq_bigr => i _; rewrite -scaler_suml.
have second : \sum_i \sum_j weight mu p q i j *: s j = - \sum_i residual mu p q i *: s i.
  rewrite exchange_big /= -sumrN; apply: eq_bigr => j _.
  rewrite /residual scaler_suml -sumrN; apply: eq_bigr => i _.
  by rewrite -/(weight mu p q j i) w scaleNr.
have -> : \sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j)
    = \sum_i \sum_j weight mu p q i j *: s i - \sum_i \sum_j weight mu p q i j *: s j.
  rewrite -sumrB; apply: eq_bigr => i _; rewrite -sumrB; apply: eq_bigr => j _.
  by rewrite scalerBr.
by rewrite first second opprK scaler_nat mulr2n.
Qed.

(** The identity for any vectors [s]: [grad L = 2 beta sum_i c_i s_i]. *)
Theorem I1_grad_residual beta mu p q s :
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  grad beta mu p q s = (2 * beta) *: \sum_i residual mu p q i *: s i.
Proof. by move=> ap aq; rewrite /grad I1_step5 // scalerA mulrC. Qed.

(** With the scores of a log-linear policy: [grad L = 2 beta Phi^T c] with the feature rows.
    The mean row cancels because [sum_i c_i = 0]; no property of [pi] is needed. *)
Theorem I1_gradient_identity_any beta mu pi p q phi :
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  grad beta mu p q (score pi phi) = (2 * beta) *: \sum_i residual mu p q i *: phi i.
Proof.
move=> ap aq; rewrite I1_grad_residual //; congr (_ *: _).
have -> : \sum_i residual mu p q i *: score pi phi i
    = \sum_i residual mu p q i *: phi i - (\sum_i residual mu p q i) *: mean_row pi phi.
  by rewrite scaler_suml -sumrB; apply: eq_bigr => i _; rewrite scalerBr.
by rewrite I1_residual_sum // scale0r subr0.
Qed.

(** The statement as posed (with [pi] a distribution, which is not needed). *)
Theorem I1_gradient_identity beta mu pi p q phi : is_dist pi ->
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  grad beta mu p q (score pi phi) = (2 * beta) *: \sum_i residual mu p q i *: phi i.
Proof. by move=> _; exact: I1_gradient_identity_any. Qed.

(** The pair form with feature rows: [grad] of the scores equals [grad] of the features. *)
Lemma I1_grad_features beta mu pi p q phi :
  grad beta mu p q (score pi phi) = grad beta mu p q phi.
Proof.
rewrite /grad; congr (_ *: _); apply: eq_bigr => i _; apply: eq_bigr => j _.
by rewrite /score opprB addrA subrK.
Qed.

End I1.
