(** * Finite sums and vectors: Cauchy–Schwarz and the norm.

    Generic facts every proof uses, over any real closed field [R]. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

(** [fld]: close a field or ring identity (used by the files that import this one). *)
Ltac fld := rewrite /=; first [field; done | ring].

Section Sums.

Variable R : rcfType.

(** Cauchy–Schwarz for a finite sum: [(sum a b)^2 <= (sum a^2)(sum b^2)]. *)
Lemma cauchy_schwarz (T : finType) (a b : T -> R) :
  (\sum_x a x * b x) ^+ 2 <= (\sum_x a x ^+ 2) * (\sum_x b x ^+ 2).
Proof.
set A := \sum_x a x ^+ 2; set B := \sum_x b x ^+ 2; set X := \sum_x a x * b x.
have A0 : 0 <= A by apply: sumr_ge0 => x _; exact: sqr_ge0.
have key : 0 <= A * (A * B - X ^+ 2).
  have -> : A * (A * B - X ^+ 2) = \sum_x (A * b x - X * a x) ^+ 2.
    have e : forall x, (A * b x - X * a x) ^+ 2
        = A ^+ 2 * b x ^+ 2 - (2 * A * X) * (a x * b x) + X ^+ 2 * a x ^+ 2.
      by move=> x; ring.
    rewrite (eq_bigr _ (fun x _ => e x)) big_split /= sumrB -!mulr_sumr.
    rewrite -/A -/B -/X; ring.
  by apply: sumr_ge0 => x _; exact: sqr_ge0.
have [Az|Apos] := eqVneq A 0.
  have a0 : forall x, a x = 0.
    move=> x; apply/eqP; rewrite -sqrf_eq0; apply/eqP.
    by move: Az; rewrite /A => /psumr_eq0P; apply => // y _; exact: sqr_ge0.
  have -> : X = 0 by rewrite /X big1 // => x _; rewrite a0 mul0r.
  by rewrite expr0n /= mulr_ge0 // sumr_ge0 // => x _; exact: sqr_ge0.
have Agt : 0 < A by rewrite lt_def Apos A0.
by rewrite -subr_ge0; move: key; rewrite pmulr_rge0.
Qed.

(** Weighted form: for weights [w >= 0],
    [(sum w a b)^2 <= (sum w a^2)(sum w b^2)]. *)
Lemma cauchy_schwarz_weighted (T : finType) (w a b : T -> R) :
  (forall x, 0 <= w x) ->
  (\sum_x w x * a x * b x) ^+ 2 <= (\sum_x w x * a x ^+ 2) * (\sum_x w x * b x ^+ 2).
Proof.
move=> w0.
have := cauchy_schwarz (fun x => Num.sqrt (w x) * a x) (fun x => Num.sqrt (w x) * b x).
have sq : forall x, Num.sqrt (w x) ^+ 2 = w x by move=> x; rewrite sqr_sqrtr.
congr (_ <= _ * _).
- congr (_ ^+ 2); apply: eq_bigr => x _.
  by rewrite mulrACA -expr2 sq mulrA.
- by apply: eq_bigr => x _; rewrite exprMn sq.
- by apply: eq_bigr => x _; rewrite exprMn sq.
Qed.

Variable d : nat.
Notation vec := 'rV[R]_d.

Lemma norm2_ge0 (u : vec) : 0 <= norm2 u.
Proof. by rewrite /norm2 /dot; apply: sumr_ge0 => k _; rewrite -expr2 sqr_ge0. Qed.

Lemma norm_ge0 (u : vec) : 0 <= norm u.
Proof. exact: sqrtr_ge0. Qed.

Lemma sqr_norm (u : vec) : norm u ^+ 2 = norm2 u.
Proof. by rewrite /norm sqr_sqrtr // norm2_ge0. Qed.

Lemma dotC (u v : vec) : dot u v = dot v u.
Proof. by apply: eq_bigr => k _; rewrite mulrC. Qed.

Lemma dotDl (u v w : vec) : dot (u + v) w = dot u w + dot v w.
Proof. by rewrite /dot -big_split; apply: eq_bigr => k _; rewrite !mxE mulrDl. Qed.

Lemma dotDr (u v w : vec) : dot u (v + w) = dot u v + dot u w.
Proof. by rewrite dotC dotDl !(dotC u). Qed.

Lemma dotZl (c : R) (u v : vec) : dot (c *: u) v = c * dot u v.
Proof. by rewrite /dot mulr_sumr; apply: eq_bigr => k _; rewrite !mxE mulrA. Qed.

Lemma dotNl (u v : vec) : dot (- u) v = - dot u v.
Proof. by rewrite -scaleN1r dotZl mulN1r. Qed.

Lemma dotBl (u v w : vec) : dot (u - v) w = dot u w - dot v w.
Proof. by rewrite dotDl dotNl. Qed.

Lemma dot_suml (I : finType) (f : I -> vec) (w : vec) :
  dot (\sum_i f i) w = \sum_i dot (f i) w.
Proof.
rewrite /dot exchange_big /=; apply: eq_bigr => k _.
by rewrite summxE mulr_suml.
Qed.

Lemma norm2Z (c : R) (u : vec) : norm2 (c *: u) = c ^+ 2 * norm2 u.
Proof. by rewrite /norm2 dotZl dotC dotZl mulrA -expr2. Qed.

Lemma normZ (c : R) (u : vec) : norm (c *: u) = `|c| * norm u.
Proof. by rewrite /norm norm2Z sqrtrM ?sqr_ge0 // sqrtr_sqr. Qed.

(** Cauchy–Schwarz for the dot product. *)
Lemma dot_le (u v : vec) : dot u v ^+ 2 <= norm2 u * norm2 v.
Proof. by rewrite /norm2 /dot; have := cauchy_schwarz (fun k => u 0 k) (fun k => v 0 k); rewrite !(eq_bigr _ (fun k _ => expr2 _)). Qed.

Lemma dot_le_norm (u v : vec) : dot u v <= norm u * norm v.
Proof.
have h := ler_wsqrtr (dot_le u v).
rewrite sqrtrM ?norm2_ge0 // sqrtr_sqr in h.
exact: le_trans (ler_norm _) h.
Qed.

Lemma norm2D (u v : vec) : norm2 (u + v) = norm2 u + 2 * dot u v + norm2 v.
Proof. by rewrite /norm2 dotDl !dotDr (dotC v u); ring. Qed.

(** The triangle inequality. *)
Lemma normD (u v : vec) : norm (u + v) <= norm u + norm v.
Proof.
rewrite -(@ler_pexpn2r _ 2) ?nnegrE ?addr_ge0 ?norm_ge0 //.
rewrite sqr_norm norm2D sqrrD !sqr_norm.
rewrite ler_add2r ler_add2l -mulr_natl ler_pmul2l; first exact: dot_le_norm.
by rewrite ltr0n.
Qed.

(** The triangle inequality for a finite sum. *)
Lemma norm_sum (I : finType) (f : I -> vec) : norm (\sum_i f i) <= \sum_i norm (f i).
Proof.
apply: (big_ind2 (fun a b => norm a <= b)) => [|x1 x2 y1 y2 h1 h2|i _].
- by rewrite /norm /norm2 /dot big1 ?sqrtr0 // => k _; rewrite mxE mul0r.
- by apply: le_trans (normD _ _) _; exact: ler_add.
- exact: lexx.
Qed.

End Sums.
