(** * T3: B3 is not sharp, and its exponent is not the right one.

    Coq counterpart of [Proofs/T3-b3-not-sharp.md].  Roots are avoided: a real closed field has
    [Num.sqrt] but no cube or sixth root in mathcomp, so statements with [PVar^(1/3)] or
    [PVar^(1/6)] are raised to the power that clears them (both sides nonnegative).

    Statement 1 ([T3_part1], any [mu], any [theta], labels with [q j i = 1 - q i j] and
    [0 <= q <= 1]):
    [PVar <= (1 - sum_i mu_i^2)/4 <= (1 - 1/K)/4 < 1/4], and [PVar = 0] when [K = 1].

    Statement 2 ([T3_part2_ratio], at the reference, labels with [0 < q < 1], [beta G > 0],
    [PVar > 0]): with [ratio_B3 = ||grad|| / (3 beta G PVar^(1/3))], the md's
    [ratio_B3 < (sqrt 2/3) ((1 - 1/K)/4)^(1/6)] is, raised to the sixth power
    ([(sqrt 2/3)^6 = 8/729], [ratio_B3^6 = ||grad||^6 / (729 (beta G)^6 PVar^2)]):

        [||grad||^6 < 2 (1 - 1/K) (beta G)^6 PVar^2].

    For [K = 2] the right side is [(beta G)^6 PVar^2], i.e. [ratio_B3 < 1/3].  The quotient of
    the values ([T3_part2_quotient]), [B3/B2 = (3/sqrt 2) PVar^(-1/6) > (3/sqrt 2) 4^(1/6)],
    raised to the sixth power ([(3/sqrt 2)^6 = 729/8]):
    [4 * 729 * (sqrt 2 beta G sqrt PVar)^6 < 8 * (3 beta G)^6 PVar^2].

    Statement 3 ([T3_part3], the uniform two-response family at the reference, any [beta >= 0],
    any features, [X = q 1 2 - 1/2]): [ratio_B2 = 1], [||grad|| = beta G sqrt(2 PVar)],
    [PVar = X^2/2] and [||grad||^3 = 2|X| (beta G)^3 PVar], i.e. [ratio_B3 = (1/3) (2|X|)^(1/3)];
    with Bradley-Terry labels [2|X| = tanh(|g|/2)] for the reward gap [g] (the md's form; the
    sigmoid/tanh link is transcendental and not formalised).  [T3_part3_lt] : [ratio_B3 < 1/3]
    on that family when [|X| < 1/2].

    The md states parts 2-3 for pairs from the policy ([mu = pi_theta = pi_ref]); part 2 is proved
    here for any pair distribution [mu] (B2, which it rests on, holds for any [mu]); part 3 is the
    uniform family, where [mu = pi = (1/2, 1/2)]. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums T4 T2 B2.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.


Section Part1.

Variable R : rcfType.
Variable K : nat.
Notation resp := 'I_K.

Variables (mu : resp -> R) (q : resp -> resp -> R).
Hypothesis mu_dist : is_dist mu.
Hypothesis q_pref : is_pref q.

Local Notation X i j := (q i j - 1 / 2).

Lemma T3_mu0 i : 0 <= mu i. Proof. by case: mu_dist. Qed.
Lemma T3_mu1 : \sum_i mu i = 1. Proof. by case: mu_dist. Qed.

Lemma T3_K0 : (0 < K)%N.
Proof.
case: K mu T3_mu1 => // m; rewrite big_ord0 => /eqP.
by rewrite eq_sym oner_eq0.
Qed.

Lemma T3_Xii i : X i i = 0.
Proof. by have := proj1 q_pref i i => h; apply: T4_self_opp; rewrite [in LHS]h; fld. Qed.

Lemma T3_X2 i j : X i j ^+ 2 <= 1 / 4.
Proof.
have [_ /(_ i j) /andP [h0 h1]] := q_pref.
rewrite -subr_ge0.
have -> : 1 / 4 - X i j ^+ 2 = q i j * (1 - q i j) by fld.
by rewrite mulr_ge0 // subr_ge0.
Qed.

(** Step 1: [PVar = sum_{i,j} mu_i mu_j X_ij^2], with [X_ii = 0]. *)
Lemma T3_step1 : pvar mu q = \sum_i \sum_j mu i * mu j * X i j ^+ 2.
Proof. exact: (T4_pvar_centred mu_dist q_pref). Qed.

(** The off-diagonal weight [w_ij = mu_i mu_j [i <> j]]. *)
Definition T3_off (i j : resp) : R := if i == j then 0 else 1.

(** Step 3: [sum_{i <> j} mu_i mu_j = 1 - sum_i mu_i^2]. *)
Lemma T3_step3 : \sum_i \sum_j mu i * mu j * T3_off i j = 1 - \sum_i mu i ^+ 2.
Proof.
have e : forall i, \sum_j mu i * mu j * T3_off i j = \sum_j mu i * mu j - mu i ^+ 2.
  move=> i; rewrite [in RHS](bigD1 i) //= [in LHS](bigD1 i) //= /T3_off eqxx mulr0 add0r.
  rewrite expr2 addrC addKr; apply: eq_bigr => j /negbTE ji.
  by rewrite eq_sym ji mulr1.
rewrite (eq_bigr _ (fun i _ => e i)) sumrB -T4_sum_mul T3_mu1 mulr1 //.
Qed.

(** Steps 1-2: [PVar <= (1/4) sum_{i <> j} mu_i mu_j]. *)
Lemma T3_step2 : pvar mu q <= 1 / 4 * \sum_i \sum_j mu i * mu j * T3_off i j.
Proof.
rewrite T3_step1 mulr_sumr; apply: ler_sum => i _; rewrite mulr_sumr.
apply: ler_sum => j _; rewrite /T3_off.
have mm : 0 <= mu i * mu j by rewrite mulr_ge0 ?T3_mu0.
case: eqP => [->|_]; first by rewrite T3_Xii expr0n /= !mulr0.
rewrite mulr1 [Y in _ <= Y]mulrC; apply: ler_wpmul2l => //; exact: T3_X2.
Qed.

(** Step 4: [sum_i mu_i^2 >= 1/K] (Cauchy-Schwarz). *)
Lemma T3_step4 : 1 / K%:R <= \sum_i mu i ^+ 2.
Proof.
have K0 : (0 : R) < K%:R by rewrite ltr0n T3_K0.
have := cauchy_schwarz (fun _ : resp => 1) mu.
rewrite (eq_bigr _ (fun i _ => mul1r (mu i))) T3_mu1 expr1n.
rewrite sumr_const card_ord => h.
by rewrite ler_pdivr_mulr // mulrC.
Qed.

(** Part 1. *)
Theorem T3_part1 :
  pvar mu q <= (1 - \sum_i mu i ^+ 2) / 4
  /\ (1 - \sum_i mu i ^+ 2) / 4 <= (1 - 1 / K%:R) / 4
  /\ (1 - 1 / K%:R) / 4 < 1 / 4 :> R.
Proof.
have K0 : (0 : R) < K%:R by rewrite ltr0n T3_K0.
split; first by have := T3_step2; rewrite T3_step3 mulrC mul1r.
split; first by rewrite ler_pmul2r ?invr_gt0 ?ltr0n // ler_sub // T3_step4.
by rewrite ltr_pmul2r ?invr_gt0 ?ltr0n // ltr_subl_addr ltr_addl divr_gt0 ?ltr01.
Qed.

(** Part 1, [K = 1]: [PVar = 0]. *)
Theorem T3_part1_K1 : K = 1%N -> pvar mu q = 0.
Proof.
move=> K1; have [h1 [h2 _]] := T3_part1.
have e : 1 - 1 / K%:R = 0 :> R by rewrite K1 divr1 subrr.
have h := le_trans h1 h2; rewrite e mul0r in h.
by apply/eqP; rewrite eq_le h (T4_pvar0 mu_dist q_pref).
Qed.

(** Strictness (md step 7): with labels strictly inside [(0, 1)] and [PVar > 0],
    [PVar < (1 - sum mu_i^2)/4]. *)
Lemma T3_strict : (forall i j, 0 < q i j < 1) -> 0 < pvar mu q ->
  pvar mu q < (1 - \sum_i mu i ^+ 2) / 4.
Proof.
move=> qo P0.
pose f i j := mu i * mu j * (T3_off i j / 4 - X i j ^+ 2).
have f0 : forall i j, 0 <= f i j.
  move=> i j; rewrite /f /T3_off; apply: mulr_ge0; first by rewrite mulr_ge0 ?T3_mu0.
  case: eqP => [->|_]; first by rewrite T3_Xii expr0n /= mul0r subrr.
  by rewrite subr_ge0 T3_X2.
have e : (1 - \sum_i mu i ^+ 2) / 4 - pvar mu q = \sum_i \sum_j f i j.
  rewrite -T3_step3 T3_step1 mulr_suml -sumrB; apply: eq_bigr => i _.
  by rewrite mulr_suml -sumrB; apply: eq_bigr => j _; rewrite /f; fld.
(* a pair carrying PVar *)
have : [exists i, [exists j, 0 < mu i * mu j * X i j ^+ 2]].
  apply/contraT; rewrite negb_exists => /forallP hn.
  suff e0 : pvar mu q = 0 by move: P0; rewrite e0 ltxx.
  rewrite T3_step1 big1 // => i _; rewrite big1 // => j _.
  move: (hn i); rewrite negb_exists => /forallP /(_ j); rewrite -leNgt => h0.
  by apply/eqP; rewrite eq_le h0 mulr_ge0 ?sqr_ge0 ?mulr_ge0 ?T3_mu0.
move=> /existsP [i0 /existsP [j0 h]].
have ij : i0 != j0.
  by apply: contraTneq h => ->; rewrite T3_Xii expr0n /= mulr0 ltxx.
have mm : 0 < mu i0 * mu j0.
  have mm0 : 0 <= mu i0 * mu j0 by rewrite mulr_ge0 ?T3_mu0.
  by rewrite lt_def mm0 andbT; apply: contraTneq h => ->; rewrite mul0r ltxx.
have fpos : 0 < f i0 j0.
  rewrite /f /T3_off (negbTE ij) pmulr_rgt0 // subr_gt0.
  have /andP [q0 q1] := qo i0 j0.
  have -> : X i0 j0 ^+ 2 = 1 / 4 - q i0 j0 * (1 - q i0 j0) by fld.
  by rewrite ltr_subl_addr ltr_addl mulr_gt0 // subr_gt0.
rewrite -subr_gt0 e; apply: lt_le_trans fpos _.
rewrite (bigD1 i0) //= (bigD1 j0) //= -addrA ler_addl.
apply: addr_ge0; first by apply: sumr_ge0 => j _; exact: f0.
by apply: sumr_ge0 => i _; apply: sumr_ge0 => j _; exact: f0.
Qed.

End Part1.

Section Part2.

Variable R : rcfType.
Variables K d : nat.
Notation resp := 'I_K.
Notation vec := 'rV[R]_d.

Variables (beta G : R) (mu : resp -> R) (p q : resp -> resp -> R) (s : resp -> vec).
Hypothesis beta0 : 0 < beta.
Hypothesis mu_dist : is_dist mu.
Hypothesis p_ref : at_reference p.
Hypothesis q_pref : is_pref q.
Hypothesis q_open : forall i j, 0 < q i j < 1.
Hypothesis s_bound : score_bound s G.
Hypothesis G0 : 0 < G.
Hypothesis P0 : 0 < pvar mu q.

(** B2, raised to the sixth power: [||grad||^6 <= 8 (beta G)^6 PVar^3]. *)
Lemma T3_B2_six : norm (grad beta mu p q s) ^+ 6 <= 8 * (beta * G) ^+ 6 * pvar mu q ^+ 3.
Proof.
have h := B2 (ltW beta0) mu_dist p_ref (proj1 q_pref) s_bound.
have e : 8 * (beta * G) ^+ 6 * pvar mu q ^+ 3
       = (Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q)) ^+ 6.
  have -> : (Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q)) ^+ 6
          = (Num.sqrt 2 ^+ 2) ^+ 3 * (beta * G) ^+ 6 * (Num.sqrt (pvar mu q) ^+ 2) ^+ 3 by fld.
  by rewrite !sqr_sqrtr ?ler0n ?ltW //; fld.
rewrite e; apply: ler_expn2r; rewrite ?nnegrE ?norm_ge0 //.
by rewrite !mulr_ge0 ?sqrtr_ge0 ?ltW.
Qed.

(** Part 2, the ratio: [ratio_B3 < (sqrt 2/3)((1 - 1/K)/4)^(1/6)], to the sixth power. *)
Theorem T3_part2_ratio :
  norm (grad beta mu p q s) ^+ 6 < 2 * (1 - 1 / K%:R) * (beta * G) ^+ 6 * pvar mu q ^+ 2.
Proof.
have [h1 [h2 _]] := T3_part1 mu_dist q_pref.
have hs := T3_strict mu_dist q_pref q_open P0.
have bG : 0 < (beta * G) ^+ 6 * pvar mu q ^+ 2 by rewrite mulr_gt0 ?exprn_gt0 ?mulr_gt0.
apply: le_lt_trans T3_B2_six _.
have -> : 8 * (beta * G) ^+ 6 * pvar mu q ^+ 3
        = (4 * pvar mu q) * (2 * ((beta * G) ^+ 6 * pvar mu q ^+ 2)) by fld.
have -> : 2 * (1 - 1 / K%:R) * (beta * G) ^+ 6 * pvar mu q ^+ 2
        = (1 - 1 / K%:R) * (2 * ((beta * G) ^+ 6 * pvar mu q ^+ 2)) by fld.
rewrite ltr_pmul2r ?mulr_gt0 ?ltr0Sn //.
have := lt_le_trans hs h2.
by rewrite ltr_pdivl_mulr ?ltr0Sn // mulrC.
Qed.

(** [K = 2]: [ratio_B3 < 1/3], i.e. [||grad||^6 < (beta G)^6 PVar^2]. *)
(** The bound for every [K] at once: [1 - 1/K < 1], so B3's ratio is below
    [(sqrt 2/3) 4^(-1/6) = 0.37415...] on every instance ([ratio_B3^6 < 2/729]). *)
Theorem T3_part2_uniform :
  norm (grad beta mu p q s) ^+ 6 < 2 * (beta * G) ^+ 6 * pvar mu q ^+ 2.
Proof.
apply: (lt_le_trans T3_part2_ratio).
have Z0 : 0 < (beta * G) ^+ 6 * pvar mu q ^+ 2 by rewrite mulr_gt0 ?exprn_gt0 ?mulr_gt0.
have k0 : 0 <= 1 / (K%:R : R) by rewrite divr_ge0 ?ler01 ?ler0n.
have e1 : 2 * (1 - 1 / K%:R) * (beta * G) ^+ 6 * pvar mu q ^+ 2
          = 2 * ((1 - 1 / K%:R) * ((beta * G) ^+ 6 * pvar mu q ^+ 2)) by ring.
have e2 : 2 * (beta * G) ^+ 6 * pvar mu q ^+ 2 = 2 * ((beta * G) ^+ 6 * pvar mu q ^+ 2) by ring.
rewrite e1 e2 ler_pmul2l ?ltr0Sn //; apply: ler_pimull; first exact: ltW.
by rewrite ler_subl_addr ler_addl.
Qed.

Theorem T3_part2_K2 : K = 2%N ->
  norm (grad beta mu p q s) ^+ 6 < (beta * G) ^+ 6 * pvar mu q ^+ 2.
Proof.
move=> K2; have e : 2 * (1 - 1 / K%:R) = 1 :> R by rewrite K2; fld.
by have := T3_part2_ratio; rewrite e mul1r.
Qed.

(** Part 2, the quotient of the values: [B3/B2 > (3/sqrt 2) 4^(1/6)], to the sixth power. *)
Theorem T3_part2_quotient :
  4 * 729 * (Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q)) ^+ 6
  < 8 * (3 * beta * G) ^+ 6 * pvar mu q ^+ 2.
Proof.
have [h1 [h2 h3]] := T3_part1 mu_dist q_pref.
have P4 : pvar mu q < 1 / 4 := le_lt_trans h1 (le_lt_trans h2 h3).
have e : (Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q)) ^+ 6
       = (Num.sqrt 2 ^+ 2) ^+ 3 * (beta * G) ^+ 6 * (Num.sqrt (pvar mu q) ^+ 2) ^+ 3 by fld.
rewrite e !sqr_sqrtr ?ler0n ?ltW //.
have -> : 4 * 729 * (2 ^+ 3 * (beta * G) ^+ 6 * pvar mu q ^+ 3)
        = (4 * pvar mu q) * (8 * 729 * ((beta * G) ^+ 6 * pvar mu q ^+ 2)) by fld.
have -> : 8 * (3 * beta * G) ^+ 6 * pvar mu q ^+ 2
        = 1 * (8 * 729 * ((beta * G) ^+ 6 * pvar mu q ^+ 2)) by fld.
rewrite ltr_pmul2r ?mulr_gt0 ?exprn_gt0 ?ltr0Sn //.
by move: P4; rewrite ltr_pdivl_mulr ?ltr0Sn // mulrC.
Qed.

End Part2.

Section Part3.

Variable R : rcfType.
Variable d : nat.
Notation vec := 'rV[R]_d.

Variables (beta : R) (mu : 'I_2 -> R) (p q : 'I_2 -> 'I_2 -> R) (phi : 'I_2 -> vec).
Hypothesis beta0 : 0 <= beta.
Hypothesis mu_half0 : mu ord0 = 1 / 2.
Hypothesis mu_half1 : mu ord_max = 1 / 2.
Hypothesis p_ref : at_reference p.
Hypothesis q_anti : forall i j, q j i = 1 - q i j.

Local Notation s := (score mu phi).
Local Notation Delta := (phi ord0 - phi ord_max).
Local Notation X := (q ord0 ord_max - 1 / 2).
Local Notation G := (norm Delta / 2).

Lemma T3_h0 : (0 : R) < 1 / 2. Proof. by rewrite divr_gt0 ?ltr01 ?ltr0Sn. Qed.
Lemma T3_h1 : (1 / 2 : R) < 1.
Proof. by rewrite ltr_pdivr_mulr ?ltr0Sn // mul1r ltr1n. Qed.
Lemma T3_mub : mu ord_max = 1 - 1 / 2.
Proof. by rewrite mu_half1; fld. Qed.

Lemma T3_max : Num.max (1 / 2) (1 - 1 / 2 : R) * norm Delta = G.
Proof. have -> : 1 - 1 / 2 = 1 / 2 :> R by fld. by rewrite maxxx; fld. Qed.

(** [G = ||Delta||/2] is the attained maximum score norm. *)
Theorem T3_G : score_bound s G /\ exists y, norm (s y) = G.
Proof.
by have := T2_G phi T3_h0 T3_h1 mu_half0 T3_mub; rewrite T3_max.
Qed.

Lemma T3_pvar : pvar mu q = X ^+ 2 / 2.
Proof. by rewrite (T2_pvar T3_h0 T3_h1 mu_half0 T3_mub q_anti); fld. Qed.

(** Part 3: [ratio_B2 = 1], [||grad|| = beta G sqrt(2 PVar)],
    [||grad||^3 = 2|X| (beta G)^3 PVar] (i.e. [ratio_B3 = (1/3)(2|X|)^(1/3)]). *)
Theorem T3_part3 :
  [/\ norm (grad beta mu p q s) = Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q),
      norm (grad beta mu p q s) = beta * G * Num.sqrt (2 * pvar mu q),
      pvar mu q = X ^+ 2 / 2
    & norm (grad beta mu p q s) ^+ 3 = 2 * `|X| * ((beta * G) ^+ 3 * pvar mu q)].
Proof.
have r := T2_ratio phi beta0 T3_h0 T3_h1 mu_half0 T3_mub p_ref q_anti.
have e1 : norm (grad beta mu p q s) = Num.sqrt 2 * beta * G * Num.sqrt (pvar mu q).
  rewrite r T3_max.
  have -> : Num.min (1 / 2) (1 - 1 / 2 : R) / Num.max (1 / 2) (1 - 1 / 2) = 1.
    have -> : 1 - 1 / 2 = 1 / 2 :> R by fld. by rewrite minxx maxxx; fld.
  by rewrite sqrtr1 mul1r.
split => //.
- by rewrite e1 sqrtrM ?ler0n //; fld.
- exact: T3_pvar.
rewrite (T2_norm_grad phi beta0 T3_h0 T3_h1 mu_half0 T3_mub p_ref q_anti) T3_pvar.
have -> : X ^+ 2 = `|X| ^+ 2 by rewrite -normrX ger0_norm ?sqr_ge0.
by fld.
Qed.

(** On this family [ratio_B3 < 1/3] when [|X| < 1/2] (i.e. [0 < q < 1]):
    [27 ||grad||^3 < (3 beta G)^3 PVar] whenever the right side is positive. *)
Theorem T3_part3_lt : `|X| < 1 / 2 -> 0 < (beta * G) ^+ 3 * pvar mu q ->
  27 * norm (grad beta mu p q s) ^+ 3 < (3 * beta * G) ^+ 3 * pvar mu q.
Proof.
move=> hX hpos; have [_ _ _ ->] := T3_part3.
have -> : (3 * beta * G) ^+ 3 * pvar mu q = 27 * ((beta * G) ^+ 3 * pvar mu q) by fld.
rewrite ltr_pmul2l ?ltr0Sn // -[Y in _ < Y]mul1r ltr_pmul2r //.
by move: hX; rewrite ltr_pdivl_mulr ?ltr0Sn // mulrC.
Qed.

End Part3.
