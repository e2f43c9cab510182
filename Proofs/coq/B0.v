(** * B0: the Cauchy–Schwarz bound [||grad L|| <= beta D delta].

    Coq counterpart of [Proofs/B0-cauchy-schwarz.md].  The gradient is taken in its pair form
    [grad] (step 1 of the md is the gradient identity I1, whose calculus part is not
    formalised; see [Setting.v] and [I1.v]).  The bound holds for ANY family of vectors [s],
    ANY matrices [p], [q] (no antisymmetry, no range condition) and any nonnegative weights
    [mu] (they need not sum to 1): [B0_weak] states it in that generality (with [|beta|] for an
    arbitrary real [beta]); [B0] is the statement of the md ([0 <= beta], [mu] a distribution). *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section B0.

Variable R : rcfType.
Variables K d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu : 'I_K -> R) (p q f g : 'I_K -> 'I_K -> R) (s : 'I_K -> vec).

(** ** Cauchy–Schwarz in [L^2(mu x mu)]. *)
Lemma Epair_cs mu f g : (forall i, 0 <= mu i) ->
  Epair mu (fun i j => f i j * g i j) ^+ 2
  <= Epair mu (fun i j => f i j ^+ 2) * Epair mu (fun i j => g i j ^+ 2).
Proof.
move=> m0; rewrite /Epair !pair_bigA /=.
have := @cauchy_schwarz_weighted R _ (fun x => mu x.1 * mu x.2)
  (fun x => f x.1 x.2) (fun x => g x.1 x.2) (fun x => mulr_ge0 (m0 x.1) (m0 x.2)).
by rewrite (eq_bigr (fun x => mu x.1 * mu x.2 * (f x.1 x.2 * g x.1 x.2))) //
  => x _; rewrite mulrA.
Qed.

Lemma Epair_cs_sqrt mu f g : (forall i, 0 <= mu i) ->
  Epair mu (fun i j => f i j * g i j)
  <= Num.sqrt (Epair mu (fun i j => f i j ^+ 2)) * Num.sqrt (Epair mu (fun i j => g i j ^+ 2)).
Proof.
move=> m0; rewrite -sqrtrM; last by apply: Epair_ge0 => // i j; exact: sqr_ge0.
apply: le_trans (ler_norm _) _; rewrite -sqrtr_sqr.
exact/ler_wsqrtr/Epair_cs.
Qed.

(** ** The chain of the md. *)
(** Step 1: [||grad L|| = |beta| ||E[(p - q)(s_i - s_j)]||]. *)
Lemma B0_step1 beta mu p q s :
  norm (grad beta mu p q s)
  = `|beta| * norm (\sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j)).
Proof. by rewrite /grad normZ. Qed.

(** Step 2: the triangle inequality for a finite sum with nonnegative weights. *)
Lemma B0_step2 mu p q s : (forall i, 0 <= mu i) ->
  norm (\sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j))
  <= Epair mu (fun i j => `|p i j - q i j| * norm (s i - s j)).
Proof.
move=> m0; apply: le_trans (norm_sum _) _; apply: ler_sum => i _.
apply: le_trans (norm_sum _) _; apply: ler_sum => j _.
by rewrite normZ !normrM (ger0_norm (m0 i)) (ger0_norm (m0 j)) mulrA.
Qed.

(** Step 3: Cauchy–Schwarz with weights [mu i * mu j]; step 4 names the two factors. *)
Lemma B0_step3 mu p q s : (forall i, 0 <= mu i) ->
  Epair mu (fun i j => `|p i j - q i j| * norm (s i - s j))
  <= Num.sqrt (spread2 mu s) * Num.sqrt (disagreement2 mu p q).
Proof.
move=> m0; rewrite [X in _ <= X]mulrC.
have -> : spread2 mu s = Epair mu (fun i j => norm (s i - s j) ^+ 2).
  by apply: eq_Epair => i j; rewrite sqr_norm.
have -> : disagreement2 mu p q = Epair mu (fun i j => `|p i j - q i j| ^+ 2).
  by apply: eq_Epair => i j; rewrite real_normK ?num_real.
exact: Epair_cs_sqrt.
Qed.

(** B0 in its general form: any real [beta], any nonnegative weights, any [p], [q], [s]. *)
Theorem B0_weak beta mu p q s : (forall i, 0 <= mu i) ->
  norm (grad beta mu p q s)
  <= `|beta| * Num.sqrt (spread2 mu s) * Num.sqrt (disagreement2 mu p q).
Proof.
move=> m0; rewrite B0_step1 -mulrA ler_wpmul2l ?normr_ge0 //.
exact: le_trans (B0_step2 p q s m0) (B0_step3 p q s m0).
Qed.

(** B0 as stated in the md. *)
Theorem B0 beta mu p q s : 0 <= beta -> is_dist mu ->
  norm (grad beta mu p q s)
  <= beta * Num.sqrt (spread2 mu s) * Num.sqrt (disagreement2 mu p q).
Proof. by move=> b0 [m0 _]; rewrite -{2}(ger0_norm b0); exact: B0_weak. Qed.

(** The squared form. *)
Theorem B0_sq_weak beta mu p q s : (forall i, 0 <= mu i) ->
  norm2 (grad beta mu p q s) <= beta ^+ 2 * spread2 mu s * disagreement2 mu p q.
Proof.
move=> m0; have h := B0_weak beta p q s m0.
have S0 : 0 <= spread2 mu s by apply: Epair_ge0 => // i j; exact: norm2_ge0.
have D0 : 0 <= disagreement2 mu p q by apply: Epair_ge0 => // i j; exact: sqr_ge0.
have : norm (grad beta mu p q s) ^+ 2
    <= (`|beta| * Num.sqrt (spread2 mu s) * Num.sqrt (disagreement2 mu p q)) ^+ 2.
  by rewrite ler_pexpn2r // nnegrE ?norm_ge0 // !mulr_ge0 ?normr_ge0 ?sqrtr_ge0.
by rewrite sqr_norm !exprMn real_normK ?num_real // !sqr_sqrtr.
Qed.

Theorem B0_sq beta mu p q s : 0 <= beta -> is_dist mu ->
  norm2 (grad beta mu p q s) <= beta ^+ 2 * spread2 mu s * disagreement2 mu p q.
Proof. by move=> _ [m0 _]; exact: B0_sq_weak. Qed.

End B0.
