(** * The setting: one prompt, its responses, and the quantities of the statements.

    This file is the Coq counterpart of [Proofs/setting.md].  Everything is stated over an
    arbitrary real closed field [R] (mathcomp's [rcfType]: an ordered field in which every
    nonnegative element has a square root).  The real numbers are one such field, so every
    theorem proved here holds for the reals; proving them for all real closed fields needs no
    axiom at all ([Print Assumptions] reports "Closed under the global context").

    What is abstracted.  The statements use the preferences only through
    [q j i = 1 - q i j] and [0 <= q <= 1] (the same for the model's [p]); the sigmoid, the
    logarithm and the exponential never enter a proof.  So [p] and [q] are matrices with these
    two properties, and "at the reference" is the hypothesis [p i j = 1/2] for every pair
    (implicit rewards all equal and [sigma 0 = 1/2]).  The gradient is taken in its pair form
    [grad]; that it is the derivative of the DPO loss (the one calculus step) is not formalised
    here and stays checked numerically (suite I1, its numerical-derivative test).

    Conventions: responses are ['I_K], parameters and scores are row vectors ['rV[R]_d]; a pair
    expectation [Epair mu f] sums over all [K^2] ordered pairs, the diagonal included. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section Setting.

Variable R : rcfType.
Variables K d : nat.

Notation resp := 'I_K.
Notation vec := 'rV[R]_d.

(** ** Vectors: dot product and Euclidean norm. *)
Definition dot (u v : vec) : R := \sum_(k < d) u 0 k * v 0 k.
Definition norm2 (u : vec) : R := dot u u.
Definition norm (u : vec) : R := Num.sqrt (norm2 u).

(** ** Distributions and preferences. *)
(** A probability vector on the responses (zeros allowed). *)
Definition is_dist (mu : resp -> R) : Prop :=
  (forall i, 0 <= mu i) /\ \sum_i mu i = 1.

(** A preference matrix: [q i j] is the probability that [i] beats [j]. *)
Definition is_pref (q : resp -> resp -> R) : Prop :=
  (forall i j, q j i = 1 - q i j) /\ (forall i j, 0 <= q i j <= 1).

(** The model's preferences at the reference: every implicit reward is equal. *)
Definition at_reference (p : resp -> resp -> R) : Prop := forall i j, p i j = 1 / 2.

(** ** Expectations. *)
(** Over one response drawn from [mu]. *)
Definition Eone (mu : resp -> R) (g : resp -> R) : R := \sum_i mu i * g i.
(** Over an ordered pair drawn independently from [mu], the diagonal included. *)
Definition Epair (mu : resp -> R) (f : resp -> resp -> R) : R :=
  \sum_i \sum_j mu i * mu j * f i j.

(** ** Scores. *)
(** The mean feature row under [pi]. *)
Definition mean_row (pi : resp -> R) (phi : resp -> vec) : vec := \sum_k pi k *: phi k.
(** The score of a log-linear policy: the feature row minus its mean under the policy. *)
Definition score (pi : resp -> R) (phi : resp -> vec) (y : resp) : vec :=
  phi y - mean_row pi phi.

(** [G] bounds every score: [G >= max_y ||s_y||].  The statements hold for every such [G],
    hence for the maximum itself. *)
Definition score_bound (s : resp -> vec) (G : R) : Prop :=
  0 <= G /\ forall y, norm (s y) <= G.

(** ** The gradient, in its pair form, and the residual. *)
(** [grad L = beta E[(p_ij - q_ij)(s_i - s_j)]] with the pairs frozen. *)
Definition grad (beta : R) (mu : resp -> R) (p q : resp -> resp -> R) (s : resp -> vec) : vec :=
  beta *: \sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j).

(** The residual [c_i = sum_j mu_i mu_j (p_ij - q_ij)]. *)
Definition residual (mu : resp -> R) (p q : resp -> resp -> R) (i : resp) : R :=
  \sum_j mu i * mu j * (p i j - q i j).

(** ** Preference variance, disagreement, spread, Fisher trace. *)
(** [PVar = Var_{i,j ~ mu}[q(i,j)]], the variance as defined (its mean is 1/2 by I2).
    PVar of the labels is [pvar mu q]; PVar of the policy is [pvar pi p]. *)
Definition pvar (mu : resp -> R) (q : resp -> resp -> R) : R :=
  Epair mu (fun i j => (q i j - Epair mu q) ^+ 2).

(** [delta^2 = E (p - q)^2]. *)
Definition disagreement2 (mu : resp -> R) (p q : resp -> resp -> R) : R :=
  Epair mu (fun i j => (p i j - q i j) ^+ 2).

(** [D^2 = E ||s_i - s_j||^2]. *)
Definition spread2 (mu : resp -> R) (s : resp -> vec) : R :=
  Epair mu (fun i j => norm2 (s i - s j)).

(** [tr F = E_pi ||s_y||^2]. *)
Definition fisher_trace (pi : resp -> R) (s : resp -> vec) : R :=
  Eone pi (fun y => norm2 (s y)).

(** ** The one-pair stochastic gradient. *)
(** A pair [i, j ~ mu], then a label [z ~ Bernoulli(q i j)]; [g = beta (p_ij - z)(s_i - s_j)].
    The noise is [E ||g - grad L||^2] over the pair and the label. *)
Definition noise (beta : R) (mu : resp -> R) (p q : resp -> resp -> R) (s : resp -> vec) : R :=
  let m := grad beta mu p q s in
  Epair mu (fun i j =>
    q i j * norm2 ((beta * (p i j - 1)) *: (s i - s j) - m)
    + (1 - q i j) * norm2 ((beta * p i j) *: (s i - s j) - m)).

(** The signal [||grad L||^2]. *)
Definition signal (beta : R) (mu : resp -> R) (p q : resp -> resp -> R) (s : resp -> vec) : R :=
  norm2 (grad beta mu p q s).

(** The mean label variance [E[q(1-q)]]. *)
Definition mean_label_variance (mu : resp -> R) (q : resp -> resp -> R) : R :=
  Epair mu (fun i j => q i j * (1 - q i j)).

End Setting.
