(** * S2: a gradient step on a low-PVar prompt moves every other objective little.

    Coq counterpart of [Proofs/S2-descent.md].  NOT FORMALISED: step 1 (the chain rule: the
    first-order change of [L'] along [-eta grad L] is [-eta <grad L', grad L>]).  Here [v] is any
    vector (the gradient of the other objective [L'] at the same [theta]) and we prove steps
    2–5: [|eta <v, grad L>| <= eta ||v|| sqrt 2 beta G sqrt PVar_labels] at the reference, for
    ANY pair distribution [mu] (as the md states), and the intermediate form with [D].  The
    labels [q] are only assumed antisymmetric ([q j i = 1 - q i j]), not in [[0, 1]].
    Equality (the md's Tightness): [S2_attained], for [L' = L] on two responses with [mu]
    UNIFORM, at the reference, any labels antisymmetric about 1/2, any feature rows [phi], the
    scores [s = score mu phi] of the policy [pi = mu] (the uniform reference), and [G] the score
    norm (both scores have the same norm, so it is [max_y ||s_y||]). *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2 I3 B0 T1 B2.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section S2.

Variable R : rcfType.
Variables K d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu : 'I_K -> R) (p q : 'I_K -> 'I_K -> R) (s : 'I_K -> vec).

(** Step 2: Cauchy–Schwarz in [R^d], [|<u, w>| <= ||u|| ||w||]. *)
Lemma S2_step2 (u w : vec) : `|dot u w| <= norm u * norm w.
Proof.
rewrite -sqrtr_sqr /norm -sqrtrM ?norm2_ge0 //.
exact/ler_wsqrtr/dot_le.
Qed.

(** Steps 2–3: [|eta <v, grad L>| <= eta ||v|| beta D sqrt PVar_labels]. *)
Theorem S2_D eta beta mu p q s (v : vec) : 0 <= eta -> 0 <= beta -> is_dist mu ->
  at_reference p -> (forall i j, q j i = 1 - q i j) ->
  `|eta * dot v (grad beta mu p q s)|
  <= eta * norm v * (beta * Num.sqrt (spread2 mu s) * Num.sqrt (pvar mu q)).
Proof.
move=> e0 b0 hmu ref aq; rewrite normrM (ger0_norm e0) -mulrA ler_wpmul2l //.
apply: le_trans (S2_step2 _ _) _.
by rewrite ler_wpmul2l ?norm_ge0 // B2_D.
Qed.

(** Steps 2–5: S2 as stated. *)
Theorem S2 eta beta mu p q s G (v : vec) : 0 <= eta -> 0 <= beta -> is_dist mu ->
  at_reference p -> (forall i j, q j i = 1 - q i j) -> score_bound s G ->
  `|eta * dot v (grad beta mu p q s)|
  <= eta * norm v * (Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q)).
Proof.
move=> e0 b0 hmu ref aq hG; rewrite normrM (ger0_norm e0) -mulrA ler_wpmul2l //.
apply: le_trans (S2_step2 _ _) _.
by rewrite ler_wpmul2l ?norm_ge0 // B2.
Qed.

End S2.

(** ** The equality case: two responses, uniform pairs, at the reference, [L' = L]. *)
Section S2_attained.

Variable R : rcfType.
Variable d : nat.
Notation vec := 'rV[R]_d.

Let a : 'I_2 := ord0.
Let b : 'I_2 := lift ord0 ord0.

(** The uniform distribution on two responses. *)
Definition unif2 : 'I_2 -> R := fun _ => 1 / 2.

Lemma unif2_dist : is_dist unif2.
Proof.
split=> [i|]; first by rewrite /unif2 divr_ge0 ?ler01 ?ler0n.
by rewrite !big_ord_recl big_ord0 /unif2; field.
Qed.

Lemma score_unif2 (phi : 'I_2 -> vec) :
  score unif2 phi a = (1 / 2) *: (phi a - phi b)
  /\ score unif2 phi b = (- (1 / 2)) *: (phi a - phi b).
Proof.
rewrite /score /mean_row !big_ord_recl big_ord0 -/a -/b /unif2.
have e1 : forall x y : vec, x - ((1 / 2) *: x + ((1 / 2) *: y + 0)) = (1 / 2) *: (x - y).
  by move=> x y; apply/rowP => k; rewrite !mxE; set u := x _ _; set v := y _ _; field.
have e2 : forall x y : vec, y - ((1 / 2) *: x + ((1 / 2) *: y + 0)) = (- (1 / 2)) *: (x - y).
  by move=> x y; apply/rowP => k; rewrite !mxE; set u := x _ _; set v := y _ _; field.
by rewrite e1 e2.
Qed.

Theorem S2_attained eta beta p q (phi : 'I_2 -> vec) :
  0 <= eta -> 0 <= beta -> at_reference p -> (forall i j, q j i = 1 - q i j) ->
  let s := score unif2 phi in
  let G := norm (s a) in
  let g := grad beta unif2 p q s in
  score_bound s G
  /\ `|eta * dot g g| = eta * norm g * (Num.sqrt 2 * beta * G * Num.sqrt (pvar unif2 q)).
Proof.
move=> e0 b0 ref aq s G g.
have [sa sb] := score_unif2 phi.
set D := phi a - phi b.
have hG : G = 1 / 2 * norm D by rewrite /G /s sa normZ ger0_norm // divr_ge0 ?ler01 ?ler0n.
split.
  split; first by rewrite hG mulr_ge0 ?norm_ge0 // divr_ge0 ?ler01 ?ler0n.
  move=> y; rewrite /s.
  have [->|->] : y = a \/ y = b.
  - by case: y => [[|[|n]] Hy]; [left; apply: val_inj | right; apply: val_inj | ].
  - by rewrite -/s -/G.
  by rewrite sb normZ normrN ger0_norm ?hG // divr_ge0 ?ler01 ?ler0n.
have ng : norm g = Num.sqrt 2 * beta * G * Num.sqrt (pvar unif2 q).
  have ap : forall i j, p j i = 1 - p i j by have [] := B2_step1 ref.
  rewrite /g (T1_two_responses _ b0 unif2_dist ap aq).
  rewrite (B2_disagreement unif2_dist ref aq); congr (_ * _).
  rewrite T1_spread2 -/a -/b /s (I3_score_difference unif2 phi a b) -/D hG /unif2.
  have -> : 2 * (1 / 2) * (1 / 2) * norm2 D = (Num.sqrt 2 * (1 / 2 * norm D)) ^+ 2.
    by rewrite !exprMn sqr_sqrtr ?ler0n // sqr_norm; field.
  rewrite sqrtr_sqr ger0_norm; first ring.
  by rewrite mulr_ge0 ?sqrtr_ge0 // mulr_ge0 ?norm_ge0 // divr_ge0 ?ler01 ?ler0n.
have dg : dot g g = norm g ^+ 2 by rewrite sqr_norm.
rewrite dg normrM (ger0_norm e0) ger0_norm ?sqr_ge0 // -ng; ring.
Qed.

End S2_attained.
