(** * C1: the policy's own PVar alone cannot bound the gradient.

    Coq counterpart of [Proofs/C1-policy-pvar-alone.md], in its reframed form.  [PVar_theta] is
    [pvar pi p]: the variance of the model's preference over pairs from the policy [pi].

    (a) [C1_instance]: the md's counterexample, for every label value [x] in [(1/2, 1)] (the md's
        [x = sigma(1)]; the sigmoid is not formalised): [K = 2], tabular features ([d = 2],
        [phi_y = e_y]), at the reference with the uniform policy [pi = (1/2, 1/2)] (the md's
        [theta = 0]; [softmax(0) = uniform] is not formalised, [pi] is given), [p = 1/2], pairs
        from the policy [mu = pi], [q 1 2 = x].  Then [PVar_theta = 0],
        [PVar_labels = (x - 1/2)^2/2], [G = sqrt 2/2] (attained) and
        [||grad|| = beta G (x - 1/2) = beta (x - 1/2)/sqrt 2].
    (b) [C1_scale_aware]: if [||grad|| <= beta G f(PVar_theta)] held on every (two-response,
        tabular-size) instance at the reference with pairs from the policy, labels in [(0, 1)]
        and [G] the attained maximum score norm, then [f 0 >= 1/2].
    (c) [C1_exact]: [f 0 = 1/2] suffices: for any [K], [d], pairs from [pi], a model preference
        [p] with [PVar_theta = pvar pi p = 0] (so [p = 1/2] on the support of [pi x pi]), and any
        labels, [||grad|| <= beta G / 2] (reduced to [T4_half]).
    (d) [C1_no_function]: for every [f], one instance has [PVar_theta = 0] and
        [||grad|| > f(PVar_theta)] (scaling in [beta]): no [f] at all, in particular none with
        [f 0 = 0].  This unscaled objection equally rules out an unscaled bound in the labels'
        PVar, B2 without [beta G]: [C1_no_function_labels] ([PVar_labels] stays fixed while
        [||grad||] grows with [beta]). *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums T4 T2.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.


Section Instance.

Variable R : rcfType.

(** ** (a) The instance. *)
Definition C1_pi (i : 'I_2) : R := 1 / 2.
Definition C1_p (i j : 'I_2) : R := 1 / 2.
Definition C1_q (x : R) (i j : 'I_2) : R :=
  if i == j then 1 / 2 else if i == ord0 then x else 1 - x.
Definition C1_phi (y : 'I_2) : 'rV[R]_2 := delta_mx 0 y.
Definition C1_s : 'I_2 -> 'rV[R]_2 := score C1_pi C1_phi.
Definition C1_G : R := Num.sqrt 2 / 2.

Lemma C1_h0 : (0 : R) < 1 / 2. Proof. by rewrite divr_gt0 ?ltr01 ?ltr0Sn. Qed.
Lemma C1_h1 : (1 / 2 : R) < 1. Proof. by rewrite ltr_pdivr_mulr ?ltr0Sn // mul1r ltr1n. Qed.
Lemma C1_pi0 : C1_pi ord0 = 1 / 2. Proof. by []. Qed.
Lemma C1_pi1 : C1_pi ord_max = 1 - 1 / 2. Proof. by rewrite /C1_pi; fld. Qed.

Lemma C1_pi_dist : is_dist C1_pi.
Proof.
split; first by move=> i; rewrite /C1_pi ltW ?C1_h0.
by rewrite T4_sum2 /C1_pi; fld.
Qed.

Lemma C1_p_ref : at_reference C1_p. Proof. by []. Qed.

Lemma C1_p_pref : is_pref C1_p.
Proof.
split=> [i j | i j]; rewrite /C1_p; first by fld.
by rewrite !ltW ?C1_h0 ?C1_h1.
Qed.

Lemma C1_q_anti x i j : C1_q x j i = 1 - C1_q x i j.
Proof. by rewrite /C1_q; case: (T4_ord2 i) => ->; case: (T4_ord2 j) => -> /=; fld. Qed.

Lemma C1_q_open x : 1 / 2 < x -> x < 1 -> forall i j, 0 < C1_q x i j < 1.
Proof.
move=> x0 x1 i j; have xp : 0 < x by apply: lt_trans x0; exact: C1_h0.
rewrite /C1_q; case: (i == j); last case: (i == ord0).
- by rewrite C1_h0 C1_h1.
- by rewrite xp x1.
- by rewrite subr_gt0 x1 /= ltr_subl_addr ltr_addl.
Qed.

Lemma C1_q_pref x : 1 / 2 < x -> x < 1 -> is_pref (C1_q x).
Proof.
move=> x0 x1; split; first exact: C1_q_anti.
by move=> i j; have /andP [h0 h1] := C1_q_open x0 x1 i j; rewrite !ltW.
Qed.

Lemma C1_X x : C1_q x ord0 ord_max - 1 / 2 = x - 1 / 2.
Proof. by []. Qed.

Lemma C1_G_eq : Num.max (1 / 2) (1 - 1 / 2 : R) * norm (C1_phi ord0 - C1_phi ord_max) = C1_G.
Proof.
have -> : 1 - 1 / 2 = 1 / 2 :> R by fld.
by rewrite maxxx T2_tabular_delta /C1_G; fld.
Qed.

(** [G = sqrt 2 / 2] is the attained maximum score norm. *)
Lemma C1_G_max : score_bound C1_s C1_G /\ exists y, norm (C1_s y) = C1_G.
Proof. by have := T2_G C1_phi C1_h0 C1_h1 C1_pi0 C1_pi1; rewrite C1_G_eq. Qed.

Lemma C1_G_gt0 : 0 < C1_G.
Proof. by rewrite /C1_G divr_gt0 ?sqrtr_gt0 ?ltr0Sn. Qed.

(** md step 1: [PVar_theta = 0]. *)
Lemma C1_pvar_policy : pvar C1_pi C1_p = 0.
Proof.
rewrite (T4_two_pvar C1_pi_dist (proj1 C1_p_pref)) /C1_p; fld.
Qed.

(** md step 2: [PVar_labels = (x - 1/2)^2 / 2]. *)
Lemma C1_pvar_labels x : pvar C1_pi (C1_q x) = (x - 1 / 2) ^+ 2 / 2.
Proof. by rewrite (T4_two_pvar C1_pi_dist (@C1_q_anti x)) C1_X /C1_pi; fld. Qed.

(** md steps 3-4: [||grad|| = beta G (x - 1/2) = beta (x - 1/2) / sqrt 2]. *)
Lemma C1_norm_grad (beta x : R) : 0 <= beta -> 1 / 2 < x ->
  norm (grad beta C1_pi C1_p (C1_q x) C1_s) = beta * C1_G * (x - 1 / 2).
Proof.
move=> b0 x0.
rewrite (T2_norm_grad C1_phi b0 C1_h0 C1_h1 C1_pi0 C1_pi1 C1_p_ref (@C1_q_anti x)).
rewrite C1_X T2_tabular_delta ger0_norm ?subr_ge0 ?ltW // /C1_G; fld.
Qed.

Theorem C1_instance (beta x : R) : 0 < beta -> 1 / 2 < x -> x < 1 ->
  [/\ is_dist C1_pi /\ at_reference C1_p /\ is_pref (C1_q x)
        /\ (forall i j, 0 < C1_q x i j < 1)
        /\ score_bound C1_s C1_G /\ (exists y, norm (C1_s y) = C1_G),
      pvar C1_pi C1_p = 0,
      pvar C1_pi (C1_q x) = (x - 1 / 2) ^+ 2 / 2,
      norm (grad beta C1_pi C1_p (C1_q x) C1_s) = beta * C1_G * (x - 1 / 2)
    & norm (grad beta C1_pi C1_p (C1_q x) C1_s) = beta * (x - 1 / 2) / Num.sqrt 2].
Proof.
move=> b0 x0 x1; have [Gb Ga] := C1_G_max.
split.
- split; first exact: C1_pi_dist.
  split; first exact: C1_p_ref.
  split; first exact: C1_q_pref.
  by split; first exact: C1_q_open.
- exact: C1_pvar_policy.
- exact: C1_pvar_labels.
- exact: C1_norm_grad (ltW b0) x0.
rewrite C1_norm_grad ?ltW // /C1_G.
have s2 : Num.sqrt 2 ^+ 2 = 2 :> R by rewrite sqr_sqrtr ?ler0n.
have sn : Num.sqrt 2 != 0 :> R by rewrite lt0r_neq0 // sqrtr_gt0 ltr0Sn.
apply: (mulIf sn); rewrite mulrVK ?unitfE //.
have -> : beta * (Num.sqrt 2 / 2) * (x - 1 / 2) * Num.sqrt 2
        = beta * (Num.sqrt 2 ^+ 2 / 2) * (x - 1 / 2) by fld.
by rewrite s2; fld.
Qed.

Lemma C1_x34 : (1 / 2 : R) < 3 / 4.
Proof.
rewrite -subr_gt0; have -> : 3 / 4 - 1 / 2 = 1 / 4 :> R by fld.
by rewrite divr_gt0 ?ltr01 ?ltr0Sn.
Qed.

(** ** (d) No function of [PVar_theta] at all bounds [||grad||]. *)
Theorem C1_no_function (f : R -> R) :
  exists beta : R, 0 < beta
    /\ pvar C1_pi C1_p = 0
    /\ f (pvar C1_pi C1_p) < norm (grad beta C1_pi C1_p (C1_q (3 / 4)) C1_s).
Proof.
have x0 := C1_x34.
pose c : R := C1_G * (3 / 4 - 1 / 2).
have c0 : 0 < c by rewrite mulr_gt0 ?C1_G_gt0 // subr_gt0.
exists ((`|f 0| + 1) / c); split; first by rewrite divr_gt0 // ltr_paddl.
split; first exact: C1_pvar_policy.
rewrite C1_pvar_policy C1_norm_grad ?ltW ?divr_gt0 ?ltr_paddl //.
have -> : (`|f 0| + 1) / c * C1_G * (3 / 4 - 1 / 2) = `|f 0| + 1.
  by rewrite -mulrA -/c mulrVK ?unitfE ?lt0r_neq0.
by apply: le_lt_trans (ler_norm _) _; rewrite ltr_addl ltr01.
Qed.

(** The same objection against an unscaled bound in the labels' PVar: [PVar_labels] is fixed at
    [1/32] on this family while [||grad||] grows with [beta]. *)
Theorem C1_no_function_labels (f : R -> R) :
  exists beta : R, 0 < beta
    /\ pvar C1_pi (C1_q (3 / 4)) = 1 / 32
    /\ f (pvar C1_pi (C1_q (3 / 4))) < norm (grad beta C1_pi C1_p (C1_q (3 / 4)) C1_s).
Proof.
have x0 := C1_x34.
have P : pvar C1_pi (C1_q (3 / 4)) = 1 / 32 by rewrite C1_pvar_labels; fld.
pose c : R := C1_G * (3 / 4 - 1 / 2).
have c0 : 0 < c by rewrite mulr_gt0 ?C1_G_gt0 // subr_gt0.
exists ((`|f (1 / 32)| + 1) / c); split; first by rewrite divr_gt0 // ltr_paddl.
split => //; rewrite P C1_norm_grad ?ltW ?divr_gt0 ?ltr_paddl //.
have -> : (`|f (1 / 32)| + 1) / c * C1_G * (3 / 4 - 1 / 2) = `|f (1 / 32)| + 1.
  by rewrite -mulrA -/c mulrVK ?unitfE ?lt0r_neq0.
by apply: le_lt_trans (ler_norm _) _; rewrite ltr_addl ltr01.
Qed.

(** ** (b) A scale-aware bound [beta G f(PVar_theta)] needs [f 0 >= 1/2]. *)
Theorem C1_scale_aware (f : R -> R) :
  (forall (beta : R) (pi : 'I_2 -> R) (p q : 'I_2 -> 'I_2 -> R) (phi : 'I_2 -> 'rV[R]_2)
          (G : R),
     0 < beta -> is_dist pi -> (forall i, 0 < pi i) -> at_reference p -> is_pref q ->
     (forall i j, 0 < q i j < 1) ->
     score_bound (score pi phi) G -> (exists y, norm (score pi phi y) = G) ->
     norm (grad beta pi p q (score pi phi)) <= beta * G * f (pvar pi p)) ->
  1 / 2 <= f 0.
Proof.
move=> H; rewrite leNgt; apply/negP => hy.
set y := f 0 in hy.
pose m := Num.max y 0.
have m0 : 0 <= m by rewrite le_maxr lexx orbT.
have m1 : m < 1 / 2 by rewrite lt_maxl hy C1_h0.
pose x : R := 3 / 4 + m / 2.
have x0 : 1 / 2 < x.
  rewrite /x -subr_gt0.
  have -> : 3 / 4 + m / 2 - 1 / 2 = 1 / 4 + m / 2 by fld.
  by rewrite ltr_paddr ?divr_ge0 ?ler0n // divr_gt0 ?ltr01 ?ltr0Sn.
have x1 : x < 1.
  rewrite /x -subr_gt0.
  have -> : 1 - (3 / 4 + m / 2) = (1 / 2 - m) / 2 by fld.
  by rewrite divr_gt0 ?ltr0Sn // subr_gt0.
have [Gb Ga] := C1_G_max.
have := H 1 C1_pi C1_p (C1_q x) C1_phi C1_G ltr01 C1_pi_dist (fun _ => C1_h0) C1_p_ref (C1_q_pref x0 x1)
  (C1_q_open x0 x1) Gb Ga.
rewrite -/C1_s C1_norm_grad ?ler01 // C1_pvar_policy -/y mul1r ler_pmul2l ?C1_G_gt0 //.
apply/negP; rewrite -ltNge.
have hmy : y <= m by rewrite le_maxr lexx.
apply: le_lt_trans hmy _.
have -> : x - 1 / 2 = m + (1 / 2 - m) / 2 by rewrite /x; fld.
by rewrite ltr_addl divr_gt0 ?ltr0Sn // subr_gt0.
Qed.

End Instance.

(** ** (c) [f 0 = 1/2] suffices: [PVar_theta = 0] forces [||grad|| <= beta G / 2]. *)
Section Exact.

Variable R : rcfType.
Variables K d : nat.

Theorem C1_exact (beta G : R) (pi : 'I_K -> R) (p q : 'I_K -> 'I_K -> R)
    (s : 'I_K -> 'rV[R]_d) :
  0 <= beta -> is_dist pi -> is_pref p -> pvar pi p = 0 -> is_pref q -> score_bound s G ->
  norm (grad beta pi p q s) <= beta * G / 2.
Proof.
move=> b0 hpi hp P0 hq hs.
have pi0 : forall i, 0 <= pi i by case: hpi.
have term0 : forall i j, pi i * pi j * (p i j - 1 / 2) ^+ 2 = 0.
  have P : \sum_i \sum_j pi i * pi j * (p i j - 1 / 2) ^+ 2 = 0.
    by rewrite -(T4_pvar_centred hpi hp).
  have t0 : forall i j, 0 <= pi i * pi j * (p i j - 1 / 2) ^+ 2.
    by move=> i j; rewrite mulr_ge0 ?sqr_ge0 ?mulr_ge0.
  move=> i j.
  have Pi : \sum_j pi i * pi j * (p i j - 1 / 2) ^+ 2 = 0.
    by apply: (psumr_eq0P _ P) => // k _; apply: sumr_ge0 => l _.
  by apply: (psumr_eq0P _ Pi).
have e : grad beta pi p q s = grad beta pi (fun _ _ => 1 / 2) q s.
  rewrite /grad; congr (_ *: _); apply: eq_bigr => i _; apply: eq_bigr => j _.
  congr (_ *: _); have := term0 i j; move/eqP; rewrite mulf_eq0 => /orP [/eqP z|].
    by rewrite z !mul0r.
  by rewrite sqrf_eq0 subr_eq0 => /eqP ->.
by rewrite e; apply: T4_half.
Qed.

End Exact.
