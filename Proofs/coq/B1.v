(** * B1: [||grad L|| <= beta D (sqrt PVar_theta + sqrt PVar_labels) <= sqrt 2 beta G (...)].

    Coq counterpart of [Proofs/B1-minkowski.md].  The md's hypothesis "pairs are the policy"
    ([mu = pi_theta]) is what makes [pvar mu p] the PVar of the POLICY ([PVar_theta] is
    defined with pairs from the policy, step 4 of the md); the inequalities proved here hold
    for every distribution [mu], every family of vectors [s] and every [p], [q] antisymmetric
    about 1/2, with [pvar mu p] and [pvar mu q] the variances over pairs from [mu].  Read with
    [mu = pi] and [s = score pi phi] they are B1 as stated.  Steps 5–6 of the md (through the
    Fisher trace) are replaced by I3's [D <= sqrt 2 G], which holds for every [mu]
    ([I3_sqrt_spread_le]); the on-policy identity [D^2 = 2 tr F] is [I3_spread_fisher].
    The hypotheses on [p] and [q] are antisymmetry only ([q j i = 1 - q i j]); the range
    condition [0 <= p, q <= 1] of [is_pref] is not assumed.  [B1] (the first inequality) needs
    no score bound and is the same statement as [B1_D]; [B1_G] adds [score_bound s G]. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2 I3 B0.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section B1.

Variable R : rcfType.
Variables K d : nat.
Notation vec := 'rV[R]_d.
Implicit Types (mu : 'I_K -> R) (p q a b : 'I_K -> 'I_K -> R) (s : 'I_K -> vec).

(** Minkowski's inequality in [L^2(mu x mu)] (step 3 of the md, "for a student"). *)
Lemma minkowski mu a b : (forall i, 0 <= mu i) ->
  Num.sqrt (Epair mu (fun i j => (a i j - b i j) ^+ 2))
  <= Num.sqrt (Epair mu (fun i j => a i j ^+ 2)) + Num.sqrt (Epair mu (fun i j => b i j ^+ 2)).
Proof.
move=> m0.
set A := Epair mu (fun i j => a i j ^+ 2); set B := Epair mu (fun i j => b i j ^+ 2).
have A0 : 0 <= A by apply: Epair_ge0 => // i j; exact: sqr_ge0.
have B0 : 0 <= B by apply: Epair_ge0 => // i j; exact: sqr_ge0.
have e : Epair mu (fun i j => (a i j - b i j) ^+ 2)
    = A + (2 * Epair mu (fun i j => a i j * - b i j) + B).
  rewrite -EpairZ -!EpairD; apply: eq_Epair => i j; ring.
have cs : Epair mu (fun i j => a i j * - b i j) <= Num.sqrt A * Num.sqrt B.
  have -> : B = Epair mu (fun i j => (- b i j) ^+ 2).
    by apply: eq_Epair => i j; rewrite sqrrN.
  exact: Epair_cs_sqrt.
have -> : Num.sqrt A + Num.sqrt B = Num.sqrt ((Num.sqrt A + Num.sqrt B) ^+ 2).
  by rewrite sqrtr_sqr ger0_norm // addr_ge0 ?sqrtr_ge0.
apply: ler_wsqrtr; rewrite e sqrrD !sqr_sqrtr //.
rewrite -addrA ler_add2l ler_add2r -mulr_natl.
by rewrite ler_pmul2l ?ltr0n.
Qed.

(** Step 2: centre both preferences at 1/2. *)
Lemma B1_step2 mu p q :
  disagreement2 mu p q = Epair mu (fun i j => ((p i j - 1 / 2) - (q i j - 1 / 2)) ^+ 2).
Proof. by apply: eq_Epair => i j; congr (_ ^+ 2); ring. Qed.

(** Steps 2–4: [delta <= sqrt PVar(p) + sqrt PVar(q)] (PVar over pairs from [mu]). *)
Lemma B1_delta mu p q : is_dist mu ->
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  Num.sqrt (disagreement2 mu p q) <= Num.sqrt (pvar mu p) + Num.sqrt (pvar mu q).
Proof.
move=> hmu ap aq; have [m0 _] := hmu.
rewrite B1_step2 (I2_pvar_centred hmu ap) (I2_pvar_centred hmu aq).
exact: minkowski.
Qed.

(** The middle form, with the weakest hypotheses: antisymmetry only. *)
Theorem B1_D beta mu p q s : 0 <= beta -> is_dist mu ->
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  norm (grad beta mu p q s)
  <= beta * Num.sqrt (spread2 mu s) * (Num.sqrt (pvar mu p) + Num.sqrt (pvar mu q)).
Proof.
move=> b0 hmu ap aq; apply: le_trans (B0 p q s b0 hmu) _.
by rewrite ler_wpmul2l ?mulr_ge0 ?sqrtr_ge0 //; exact: B1_delta.
Qed.

(** Step 7, first inequality ([B1_D] under the md's name).  Read with pairs from the policy
    ([mu = pi_theta]), [pvar mu p] is [PVar_theta]; the statement holds for every [mu]. *)
Theorem B1 beta mu p q s : 0 <= beta -> is_dist mu ->
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) ->
  norm (grad beta mu p q s)
  <= beta * Num.sqrt (spread2 mu s) * (Num.sqrt (pvar mu p) + Num.sqrt (pvar mu q)).
Proof. exact: B1_D. Qed.

(** Step 7, second inequality: [D <= sqrt 2 G] (I3, for every [mu]). *)
Theorem B1_G beta mu p q s G : 0 <= beta -> is_dist mu ->
  (forall i j, p j i = 1 - p i j) -> (forall i j, q j i = 1 - q i j) -> score_bound s G ->
  norm (grad beta mu p q s)
  <= Num.sqrt 2 * beta * G * (Num.sqrt (pvar mu p) + Num.sqrt (pvar mu q)).
Proof.
move=> b0 hmu ap aq hG; apply: le_trans (B1 s b0 hmu ap aq) _.
rewrite ler_wpmul2r ?addr_ge0 ?sqrtr_ge0 // (mulrC (Num.sqrt 2)) -mulrA.
by rewrite ler_wpmul2l // I3_sqrt_spread_le.
Qed.

End B1.
