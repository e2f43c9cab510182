(** * I2: the mean of an antisymmetric preference over independent pairs is 1/2.

    Coq counterpart of [Proofs/I2-pvar-mean.md].  The preference is abstracted to a matrix [q]
    with [q j i = 1 - q i j] (step 1 of the md derives this from the sigmoid; here it is the
    hypothesis, see [Setting.v]).  [mu] is any probability vector (zeros allowed), [i = j]
    included.  The same statements hold verbatim for the model's [p] with [mu = pi].
    Besides the mean ([I2_mean]) and the centred form of the variance ([I2_pvar_centred]):
    [I2_pvar_zero_iff], for [mu] of full support ([0 < mu i] for every [i], e.g. a softmax
    policy) and [p] antisymmetric, [PVar_theta = 0] exactly when [p = 1/2] on every pair
    ([at_reference p]); the "if" direction, [I2_pvar_reference], holds for every [mu]. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section I2.

Variable R : rcfType.
Variable K : nat.
Implicit Types (mu : 'I_K -> R) (q f : 'I_K -> 'I_K -> R).

(** A number equal to its opposite is 0 (characteristic 0). *)
Lemma eq_opp0 (x : R) : x = - x -> x = 0.
Proof.
move=> h; have : x + x = 0 by rewrite {2}h subrr.
move/eqP; rewrite -mulr2n -mulr_natr mulf_eq0 pnatr_eq0 orbF.
by move/eqP.
Qed.

(** Generic form of step 2: the pair expectation of an antisymmetric function is 0
    (the weight [mu i * mu j] is symmetric; renaming [i <-> j] negates the sum). *)
Lemma Epair_antisym mu f : (forall i j, f j i = - f i j) -> Epair mu f = 0.
Proof.
move=> af; apply: eq_opp0; rewrite {1}/Epair exchange_big /= /Epair -sumrN.
apply: eq_bigr => i _; rewrite -sumrN; apply: eq_bigr => j _.
by rewrite af; ring.
Qed.

(** Step 1: [q i i = 1/2], and [q - 1/2] is antisymmetric. *)
Lemma I2_step1_diag q : (forall i j, q j i = 1 - q i j) -> forall i, q i i = 1 / 2.
Proof.
move=> aq i; have h := aq i i.
have -> : q i i = (q i i + q i i) / 2 by field.
by rewrite {2}h; field.
Qed.

Lemma I2_step1 q : (forall i j, q j i = 1 - q i j) ->
  forall i j, q j i - 1 / 2 = - (q i j - 1 / 2).
Proof. by move=> aq i j; rewrite aq; field. Qed.

(** Step 2: [E (q - 1/2) = 0]. *)
Lemma I2_step2 mu q : (forall i j, q j i = 1 - q i j) ->
  Epair mu (fun i j => q i j - 1 / 2) = 0.
Proof. by move=> aq; apply: Epair_antisym; exact: I2_step1. Qed.

(** The pair weights sum to [(sum mu)^2]. *)
Lemma Epair_const mu (c : R) : Epair mu (fun _ _ => c) = c * (\sum_i mu i) ^+ 2.
Proof.
rewrite /Epair expr2 mulr_suml mulr_sumr; apply: eq_bigr => i _.
rewrite mulr_sumr mulr_sumr; apply: eq_bigr => j _; ring.
Qed.

Lemma EpairD mu f g :
  Epair mu (fun i j => f i j + g i j) = Epair mu f + Epair mu g.
Proof.
rewrite /Epair -big_split; apply: eq_bigr => i _.
by rewrite -big_split; apply: eq_bigr => j _; rewrite mulrDr.
Qed.

Lemma eq_Epair mu f g : (forall i j, f i j = g i j) -> Epair mu f = Epair mu g.
Proof. by move=> e; apply: eq_bigr => i _; apply: eq_bigr => j _; rewrite e. Qed.

Lemma EpairZ mu (c : R) f : Epair mu (fun i j => c * f i j) = c * Epair mu f.
Proof.
rewrite /Epair mulr_sumr; apply: eq_bigr => i _.
by rewrite mulr_sumr; apply: eq_bigr => j _; rewrite mulrCA.
Qed.

Lemma EpairB mu f g :
  Epair mu (fun i j => f i j - g i j) = Epair mu f - Epair mu g.
Proof.
rewrite /Epair -sumrB; apply: eq_bigr => i _.
by rewrite -sumrB; apply: eq_bigr => j _; rewrite mulrBr.
Qed.

(** Step 3 (and the first claim of the md): [E q = 1/2]. *)
Theorem I2_mean mu q : is_dist mu -> (forall i j, q j i = 1 - q i j) -> Epair mu q = 1 / 2.
Proof.
move=> [_ s1] aq.
have -> : Epair mu q = Epair mu (fun i j => q i j - 1 / 2) + Epair mu (fun _ _ => 1 / 2).
  by rewrite -EpairD; apply: eq_bigr => i _; apply: eq_bigr => j _; rewrite subrK.
by rewrite I2_step2 // Epair_const s1 expr1n mulr1 add0r.
Qed.

(** Step 4: the variance is the second moment about 1/2. *)
Theorem I2_pvar_centred mu q : is_dist mu -> (forall i j, q j i = 1 - q i j) ->
  pvar mu q = Epair mu (fun i j => (q i j - 1 / 2) ^+ 2).
Proof. by move=> hmu aq; rewrite /pvar (I2_mean hmu aq). Qed.

(** Consequences used by B1 and B2: PVar is nonnegative, and 0 at the reference. *)
Lemma Epair_ge0 mu f : (forall i, 0 <= mu i) -> (forall i j, 0 <= f i j) -> 0 <= Epair mu f.
Proof.
move=> m0 f0; apply: sumr_ge0 => i _; apply: sumr_ge0 => j _.
by rewrite !mulr_ge0.
Qed.

Lemma pvar_ge0 mu q : (forall i, 0 <= mu i) -> 0 <= pvar mu q.
Proof. by move=> m0; apply: Epair_ge0 => // i j; exact: sqr_ge0. Qed.

Theorem I2_pvar_reference mu p : is_dist mu -> at_reference p -> pvar mu p = 0.
Proof.
move=> hmu ref; rewrite I2_pvar_centred //; last by move=> i j; rewrite !ref; field.
by rewrite /Epair big1 // => i _; rewrite big1 // => j _; rewrite ref subrr expr0n mulr0.
Qed.

(** [PVar = 0] iff [p = 1/2] on every pair, for a full-support [mu] and antisymmetric [p]. *)
Theorem I2_pvar_zero_iff mu p : is_dist mu -> (forall i, 0 < mu i) ->
  (forall i j, p j i = 1 - p i j) -> pvar mu p = 0 <-> at_reference p.
Proof.
move=> hmu mpos ap; split; last exact: I2_pvar_reference.
rewrite (I2_pvar_centred hmu ap) /Epair => P0 i j.
have t0 : forall i j, 0 <= mu i * mu j * (p i j - 1 / 2) ^+ 2.
  by move=> i' j'; rewrite mulr_ge0 ?sqr_ge0 ?mulr_ge0 ?ltW.
have Pi : \sum_j mu i * mu j * (p i j - 1 / 2) ^+ 2 = 0.
  by apply: (psumr_eq0P _ P0) => // k _; apply: sumr_ge0 => l _.
have /eqP : mu i * mu j * (p i j - 1 / 2) ^+ 2 = 0 by apply: (psumr_eq0P _ Pi).
rewrite mulf_eq0 mulf_eq0 (gt_eqF (mpos i)) (gt_eqF (mpos j)) /= sqrf_eq0 subr_eq0.
by move/eqP.
Qed.

End I2.
