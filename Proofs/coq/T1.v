(** * T1: B0 is an equality on every instance with two responses.

    Coq counterpart of [Proofs/T1-b0-equality.md], step 8: for [K = 2], any [beta >= 0], any
    nonnegative pair weights [mu], any vectors [s] and any [p], [q] antisymmetric about 1/2,
    [||grad L|| = beta D delta].  (Only [0 <= mu i] is used; [T1_two_responses] states it
    with [is_dist mu] as posed.)  The general "if and only if" characterisation (steps 1–7:
    alignment (a) and proportionality (b)) is formalised in its "if" direction by
    [T1_equality_if]; the "only if" direction is not formalised. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2 I3 B0.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section T1.

Variable R : rcfType.
Variable d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu : 'I_2 -> R) (p q : 'I_2 -> 'I_2 -> R) (s : 'I_2 -> vec).

Let a : 'I_2 := ord0.
Let b : 'I_2 := lift ord0 ord0.

Lemma diag_half (f : 'I_2 -> 'I_2 -> R) : (forall i j, f j i = 1 - f i j) ->
  forall i, f i i = 1 / 2.
Proof. exact: I2_step1_diag. Qed.

(** The two-response gradient is one pair vector:
    [grad L = beta * 2 mu_1 mu_2 (p_12 - q_12) (s_1 - s_2)]. *)
Lemma T1_grad2 beta mu p q s :
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  grad beta mu p q s = (beta * (2 * mu a * mu b * (p a b - q a b))) *: (s a - s b).
Proof.
move=> ap aq; have pd := diag_half ap; have qd := diag_half aq.
rewrite /grad !big_ord_recl !big_ord0 -/a -/b.
rewrite (ap a b) (aq a b) (pd a) (pd b) (qd a) (qd b) !subrr !scaler0 !add0r !addr0.
by apply/rowP => k; rewrite !mxE; ring.
Qed.

Lemma T1_spread2 mu s : spread2 mu s = 2 * mu a * mu b * norm2 (s a - s b).
Proof.
rewrite /spread2 /Epair !big_ord_recl !big_ord0 -/a -/b !subrr !norm2_0.
rewrite -[s b - s a]opprB norm2N; ring.
Qed.

Lemma T1_disagreement2 mu p q :
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  disagreement2 mu p q = 2 * mu a * mu b * (p a b - q a b) ^+ 2.
Proof.
move=> ap aq; have pd := diag_half ap; have qd := diag_half aq.
rewrite /disagreement2 /Epair !big_ord_recl !big_ord0 -/a -/b.
rewrite (ap a b) (aq a b) (pd a) (pd b) (qd a) (qd b); ring.
Qed.

(** Step 8 of the md, with nonnegative weights. *)
Theorem T1_two_responses_weak beta mu p q s : 0 <= beta -> (forall i, 0 <= mu i) ->
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  norm (grad beta mu p q s)
  = beta * Num.sqrt (spread2 mu s) * Num.sqrt (disagreement2 mu p q).
Proof.
move=> b0 m0 ap aq.
rewrite T1_grad2 // T1_spread2 T1_disagreement2 // normZ.
set c := 2 * mu a * mu b; set r := p a b - q a b.
have c0 : 0 <= c by rewrite /c !mulr_ge0 ?ler0n ?m0.
clearbody c r.
rewrite -mulrA -sqrtrM ?mulr_ge0 ?norm2_ge0 //.
have -> : c * norm2 (s a - s b) * (c * r ^+ 2) = (c * `|r| * norm (s a - s b)) ^+ 2.
  by rewrite !exprMn sqr_norm real_normK ?num_real //; ring.
have n0 : 0 <= c * `|r| * norm (s a - s b) by rewrite !mulr_ge0 ?normr_ge0 ?norm_ge0.
by rewrite sqrtr_sqr (ger0_norm n0) !normrM (ger0_norm b0) (ger0_norm c0) [RHS]mulrA.
Qed.

(** T1 at [K = 2] as posed: B0 holds with equality. *)
Theorem T1_two_responses beta mu p q s : 0 <= beta -> is_dist mu ->
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  norm (grad beta mu p q s)
  = beta * Num.sqrt (spread2 mu s) * Num.sqrt (disagreement2 mu p q).
Proof. by move=> b0 [m0 _]; exact: T1_two_responses_weak. Qed.

End T1.

(** ** The general equality condition, "if" direction (steps 1–7 of the md).
    If [D = 0], or (a) all nonzero pair vectors [v_ij = (p_ij - q_ij)(s_i - s_j)] on the support
    of [mu x mu] point along one unit vector [u] and (b) [|p - q| = kappa ||s_i - s_j||] there,
    then B0 is an equality.  The converse ("only if") is not formalised. *)
Section T1_general.

Variable R : rcfType.
Variables K d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu : 'I_K -> R) (p q : 'I_K -> 'I_K -> R) (s : 'I_K -> vec).

Definition aligned mu p q s : Prop :=
  exists u : vec, norm u = 1 /\ forall i j, mu i * mu j != 0 ->
    (p i j - q i j) *: (s i - s j) = norm ((p i j - q i j) *: (s i - s j)) *: u.

Definition proportional mu p q s : Prop :=
  exists kappa : R, 0 <= kappa /\ forall i j, mu i * mu j != 0 ->
    `|p i j - q i j| = kappa * norm (s i - s j).

Theorem T1_equality_if beta mu p q s : 0 <= beta -> (forall i, 0 <= mu i) ->
  spread2 mu s = 0 \/ (aligned mu p q s /\ proportional mu p q s) ->
  norm (grad beta mu p q s)
  = beta * Num.sqrt (spread2 mu s) * Num.sqrt (disagreement2 mu p q).
Proof.
move=> b0 m0 [D0|[[u [u1 ha]] [k [k0 hb]]]].
  have h := B0_weak beta p q s m0.
  rewrite D0 sqrtr0 mulr0 mul0r in h *.
  by apply: le_anti; rewrite ?mulr0 ?mul0r h norm_ge0.
(* step 4: under (a) the triangle inequality is an equality *)
have eV : \sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j)
    = Epair mu (fun i j => `|p i j - q i j| * norm (s i - s j)) *: u.
  rewrite /Epair scaler_suml; apply: eq_bigr => i _.
  rewrite scaler_suml; apply: eq_bigr => j _.
  have [z|nz] := eqVneq (mu i * mu j) 0; first by rewrite z !mul0r !scale0r.
  by rewrite -scalerA ha // normZ scalerA.
have E0 : 0 <= Epair mu (fun i j => `|p i j - q i j| * norm (s i - s j)).
  by apply: Epair_ge0 => // i j; rewrite mulr_ge0 ?normr_ge0 ?norm_ge0.
(* step 6: under (b) Cauchy–Schwarz is an equality *)
have eE : Epair mu (fun i j => `|p i j - q i j| * norm (s i - s j)) = k * spread2 mu s.
  rewrite /spread2 -EpairZ; apply: eq_bigr => i _; apply: eq_bigr => j _.
  have [z|nz] := eqVneq (mu i * mu j) 0; first by rewrite z !mul0r.
  by rewrite hb // -sqr_norm expr2 !mulrA.
have ed : disagreement2 mu p q = k ^+ 2 * spread2 mu s.
  rewrite /spread2 -EpairZ; apply: eq_bigr => i _; apply: eq_bigr => j _.
  have [z|nz] := eqVneq (mu i * mu j) 0; first by rewrite z !mul0r.
  by rewrite -real_normK ?num_real // hb // exprMn sqr_norm.
have S0 : 0 <= spread2 mu s by apply: Epair_ge0 => // i j; exact: norm2_ge0.
rewrite /grad normZ eV normZ u1 mulr1 (ger0_norm E0) (ger0_norm b0) eE ed.
rewrite sqrtrM ?sqr_ge0 // sqrtr_sqr (ger0_norm k0).
have -> : beta * Num.sqrt (spread2 mu s) * (k * Num.sqrt (spread2 mu s))
    = beta * k * Num.sqrt (spread2 mu s) ^+ 2 by ring.
by rewrite sqr_sqrtr // mulrA.
Qed.

End T1_general.
