(** * T4: at the reference, B3's form holds with constant 1, and 1 is sharp.

    Coq counterpart of [Proofs/T4-b3-sharp-constant.md].  At the reference ([p = 1/2]), for any
    pair distribution [mu], any labels with [q j i = 1 - q i j] and [0 <= q <= 1] (the md asks
    [|X| < 1/2]; the non-strict [|X| <= 1/2] is enough for the bounds), any [0 <= beta] and any
    score bound [G]:

    - [T4_half]: [||grad|| <= beta G / 2];
    - [T4_cube]: [||grad||^3 <= (beta G)^3 PVar_labels], i.e. [||grad|| <= beta G PVar^(1/3)]
      stated cubed (a real closed field has no cube-root function in mathcomp).

    The proof follows the md's steps 1-6.  The sets [A = {i : m_i >= 0}] and its complement are
    encoded by the indicator [c_i = (0 <= m_i)%:R], so every sum runs over all responses.  The
    md's [2^(-2/3) a^(2/3)] is avoided by cubing: [4 T^3 = (2T)(2T^2) <= a (a PVar)] and
    [16 a^2 <= 1].

    Sharpness ([T4_sharp], the md's step 7): for every [beta > 0] and every [c < 1] there is an
    instance with [K = 2], [d = 1], [mu = (1/2, 1/2)], [p = 1/2], Bradley-Terry-possible labels
    ([0 < q < 1]), log-linear scores [s = score mu phi] and [G] the attained maximum of the score
    norms, on which [||grad|| > c beta G / 2] and [||grad||^3 > c (beta G)^3 PVar].  The md's
    family is parametrised by the reward gap [g] with [tanh(g/2) = 2X]; here it is parametrised
    directly by [t = 2X = 2 (q 1 2 - 1/2)] in [(0, 1)], the sigmoid is not formalised.  On it
    both ratios equal [t] exactly ([T4_witness_half], [T4_witness_cube]).

    The fact [PVar = E (q - 1/2)^2] comes from I2 ([I2_mean], [I2_pvar_centred]). *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.

(** [field] (needed when a [1/2] must cancel against a [2]; its side condition [2 != 0]
    reduces to [true]), falling back on [ring]. *)

Section T4.

Variable R : rcfType.

(** ** Generic facts on finite sums. *)

(** [x = -x] forces [x = 0] (characteristic 0). *)
Lemma T4_self_opp (x : R) : x = - x -> x = 0.
Proof.
move=> e; have : x *+ 2 == 0 by rewrite mulr2n {1}e addNr.
by rewrite mulrn_eq0 => /eqP.
Qed.

Section Generic.

Variable K : nat.
Notation resp := 'I_K.

(** A double sum of an antisymmetric kernel with product weights vanishes. *)
Lemma T4_antisym_sum0 (a : resp -> R) (w : resp -> resp -> R) :
  (forall i j, w j i = - w i j) -> \sum_i \sum_j a i * a j * w i j = 0.
Proof.
move=> anti; set S := (X in X = 0).
have e : S = - S.
  rewrite {1}/S exchange_big /= /S -sumrN; apply: eq_bigr => i _.
  rewrite -sumrN; apply: eq_bigr => j _; rewrite anti; fld.
exact: T4_self_opp.
Qed.

(** The pair form with an antisymmetric weight:
    [sum_ij w_ij (s_i - s_j) = 2 sum_i (sum_j w_ij) s_i]. *)
Lemma T4_pair_sum (V : lmodType R) (w : resp -> resp -> R) (s : resp -> V) :
  (forall i j, w j i = - w i j) ->
  \sum_i \sum_j w i j *: (s i - s j) = 2 *: \sum_i (\sum_j w i j) *: s i.
Proof.
move=> anti.
have h : \sum_i \sum_j w i j *: (s i - s j)
    = (\sum_i (\sum_j w i j) *: s i) - \sum_i \sum_j w i j *: s j.
  rewrite -sumrB; apply: eq_bigr => i _.
  by rewrite (scaler_suml (s i)) -sumrB; apply: eq_bigr => j _; rewrite scalerBr.
have h2 : \sum_i \sum_j w i j *: s j = - \sum_i (\sum_j w i j) *: s i.
  rewrite exchange_big /= -sumrN; apply: eq_bigr => j _.
  rewrite -scaleNr -sumrN (scaler_suml (s j)); apply: eq_bigr => i _.
  by rewrite anti.
by rewrite h h2 opprK scaler_nat mulr2n.
Qed.

(** [(sum_i a_i)(sum_j b_j) = sum_i sum_j a_i b_j]. *)
Lemma T4_sum_mul (a b : resp -> R) :
  (\sum_i a i) * (\sum_j b j) = \sum_i \sum_j a i * b j.
Proof. by rewrite mulr_suml; apply: eq_bigr => i _; rewrite mulr_sumr. Qed.

End Generic.

(** Sums over two responses. *)
Lemma T4_sum2 (V : zmodType) (F : 'I_2 -> V) : \sum_i F i = F ord0 + F ord_max.
Proof. by rewrite big_ord_recr big_ord1; congr (F _ + _); exact: val_inj. Qed.

Lemma T4_ord2 (i : 'I_2) : i = ord0 \/ i = ord_max.
Proof.
case: i => [[|[|n]] Hi]; [left | right | by []]; exact: val_inj.
Qed.

(** ** The setting of T4. *)

Variables K d : nat.
Notation resp := 'I_K.
Notation vec := 'rV[R]_d.

Variables (beta G : R) (mu : resp -> R) (p q : resp -> resp -> R) (s : resp -> vec).

Hypothesis beta0 : 0 <= beta.
Hypothesis mu_dist : is_dist mu.
Hypothesis p_ref : at_reference p.
Hypothesis q_pref : is_pref q.
Hypothesis s_bound : score_bound s G.

(** The centred labels [X_ij = q_ij - 1/2], the mean centred label [m_i = sum_j mu_j X_ij],
    the indicator [c_i] of [A = {i : m_i >= 0}], the cross sum [T] over [A x B], the weight
    [a = mu(A) mu(B)] and [S2 = sum over A x B of mu_i mu_j X_ij^2]. *)
Definition T4_X i j := q i j - 1 / 2.
Definition T4_m i := \sum_j mu j * T4_X i j.
Definition T4_c i : R := if 0 <= T4_m i then 1 else 0.
Definition T4_alpha := \sum_i T4_c i * mu i.
Definition T4_a := T4_alpha * (1 - T4_alpha).
Definition T4_T := \sum_i \sum_j T4_c i * (1 - T4_c j) * (mu i * mu j) * T4_X i j.
Definition T4_S2 := \sum_i \sum_j T4_c i * (1 - T4_c j) * (mu i * mu j) * T4_X i j ^+ 2.

Local Notation X := T4_X.
Local Notation m := T4_m.
Local Notation c := T4_c.

Lemma T4_mu0 i : 0 <= mu i. Proof. by case: mu_dist. Qed.
Lemma T4_mu1 : \sum_i mu i = 1. Proof. by case: mu_dist. Qed.

Lemma T4_Xanti i j : X j i = - X i j.
Proof. by rewrite /T4_X (proj1 q_pref); fld. Qed.

Lemma T4_Xle i j : X i j <= 1 / 2.
Proof.
have [_ /(_ i j) /andP [_ h]] := q_pref.
by rewrite /T4_X ler_subl_addr -splitr.
Qed.

Lemma T4_Xii i : X i i = 0.
Proof.
exact/T4_self_opp/T4_Xanti.
Qed.

Lemma T4_c01 i : c i = 0 \/ c i = 1.
Proof. by rewrite /T4_c; case: (0 <= m i); [right | left]. Qed.

Lemma T4_c0 i : 0 <= c i. Proof. by case: (T4_c01 i) => ->; rewrite ?lexx ?ler01. Qed.
Lemma T4_c1 i : c i <= 1. Proof. by case: (T4_c01 i) => ->; rewrite ?lexx ?ler01. Qed.
Lemma T4_1c0 i : 0 <= 1 - c i. Proof. by rewrite subr_ge0 T4_c1. Qed.

(** I2 in this section's terms: the mean of the labels is [1/2] and PVar is the second moment
    about [1/2]. *)
Lemma T4_Epair_half : Epair mu q = 1 / 2.
Proof. exact: I2_mean mu_dist (proj1 q_pref). Qed.

Lemma T4_pvar_centred : pvar mu q = \sum_i \sum_j mu i * mu j * X i j ^+ 2.
Proof. exact: I2_pvar_centred mu_dist (proj1 q_pref). Qed.

(** *** Step 1: [grad = -2 beta sum_i mu_i m_i s_i]. *)
Lemma T4_step1 : grad beta mu p q s = (- (2 * beta)) *: \sum_i (mu i * m i) *: s i.
Proof.
rewrite /grad.
have -> : \sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j)
        = \sum_i \sum_j (- (mu i * mu j * X i j)) *: (s i - s j).
  apply: eq_bigr => i _; apply: eq_bigr => j _.
  by rewrite p_ref /T4_X; congr (_ *: _); fld.
rewrite T4_pair_sum; last by move=> i j; rewrite T4_Xanti; fld.
have e : \sum_i (\sum_j - (mu i * mu j * X i j)) *: s i = - \sum_i (mu i * m i) *: s i.
  rewrite -sumrN; apply: eq_bigr => i _; rewrite -scaleNr; congr (_ *: _).
  by rewrite sumrN /T4_m mulr_sumr; congr (- _); apply: eq_bigr => j _; fld.
by rewrite e scalerA scalerN -scaleNr mulrC.
Qed.

(** *** Step 2: [||grad|| <= 2 beta G sum_i mu_i |m_i|]. *)
Lemma T4_step2 : norm (grad beta mu p q s) <= 2 * beta * G * \sum_i mu i * `|m i|.
Proof.
have b2 : 0 <= 2 * beta by rewrite mulr_ge0 ?ler0n.
rewrite T4_step1 normZ normrN (ger0_norm b2) -[X in _ <= X]mulrA ler_wpmul2l //.
apply: le_trans (norm_sum _) _; rewrite mulr_sumr; apply: ler_sum => i _.
rewrite normZ normrM (ger0_norm (T4_mu0 i)) mulrC.
have [G0 sG] := s_bound.
by apply: ler_wpmul2r; [rewrite mulr_ge0 ?T4_mu0 | exact: sG].
Qed.

(** *** Step 3: [sum_i mu_i |m_i| = 2 T], hence [||grad|| <= 4 beta G T]. *)
Lemma T4_mean_m : \sum_i mu i * m i = 0.
Proof.
rewrite -[RHS](T4_antisym_sum0 mu T4_Xanti); apply: eq_bigr => i _.
by rewrite /T4_m mulr_sumr; apply: eq_bigr => j _; rewrite mulrA.
Qed.

Lemma T4_abs_m i : `|m i| = (2 * c i - 1) * m i.
Proof.
rewrite /T4_c; case: leP => h.
  by rewrite ger0_norm // mulr1; fld.
by rewrite ltr0_norm // mulr0; fld.
Qed.

Lemma T4_step3 : \sum_i mu i * `|m i| = 2 * T4_T.
Proof.
have e1 : \sum_i mu i * `|m i| = 2 * (\sum_i c i * mu i * m i) - \sum_i mu i * m i.
  rewrite mulr_sumr -sumrB; apply: eq_bigr => i _; rewrite T4_abs_m; fld.
have e2 : \sum_i c i * mu i * m i
        = (\sum_i \sum_j (c i * mu i) * (c j * mu j) * X i j) + T4_T.
  rewrite /T4_T -big_split; apply: eq_bigr => i _.
  rewrite /T4_m mulr_sumr -big_split; apply: eq_bigr => j _; fld.
by rewrite e1 e2 T4_mean_m (T4_antisym_sum0 _ T4_Xanti) add0r subr0.
Qed.

Lemma T4_T0 : 0 <= T4_T.
Proof.
have h : 0 <= \sum_i mu i * `|m i| by apply: sumr_ge0 => i _; rewrite mulr_ge0 ?T4_mu0.
by rewrite T4_step3 pmulr_rge0 ?ltr0Sn in h.
Qed.

Lemma T4_step3_grad : norm (grad beta mu p q s) <= 4 * beta * G * T4_T.
Proof.
have -> : 4 * beta * G * T4_T = 2 * beta * G * (2 * T4_T) by fld.
by rewrite -T4_step3; exact: T4_step2.
Qed.

(** *** Step 4: [2 T <= a] and [4 a <= 1]. *)
Lemma T4_alpha01 : 0 <= T4_alpha <= 1.
Proof.
apply/andP; split; first by apply: sumr_ge0 => i _; rewrite mulr_ge0 ?T4_c0 ?T4_mu0.
rewrite -T4_mu1; apply: ler_sum => i _.
by rewrite ler_pimull ?T4_mu0 ?T4_c1.
Qed.

Lemma T4_a_pairs :
  \sum_i \sum_j T4_c i * (1 - T4_c j) * (mu i * mu j) = T4_a.
Proof.
rewrite /T4_a; have -> : 1 - T4_alpha = \sum_j (1 - c j) * mu j.
  rewrite /T4_alpha -{1}T4_mu1 -sumrB; apply: eq_bigr => j _; fld.
rewrite T4_sum_mul; apply: eq_bigr => i _; apply: eq_bigr => j _; fld.
Qed.

Lemma T4_a0 : 0 <= T4_a.
Proof. by have /andP [h0 h1] := T4_alpha01; rewrite mulr_ge0 // subr_ge0. Qed.

Lemma T4_a_quarter : 4 * T4_a <= 1.
Proof.
rewrite -subr_ge0.
have -> : 1 - 4 * T4_a = (2 * T4_alpha - 1) ^+ 2 by rewrite /T4_a; fld.
exact: sqr_ge0.
Qed.

Lemma T4_step4 : 2 * T4_T <= T4_a.
Proof.
rewrite -T4_a_pairs /T4_T mulr_sumr; apply: ler_sum => i _.
rewrite mulr_sumr; apply: ler_sum => j _.
set W := c i * (1 - c j) * (mu i * mu j).
have W0 : 0 <= W by rewrite !mulr_ge0 ?T4_c0 ?T4_1c0 ?T4_mu0.
rewrite -[X in _ <= X](_ : 2 * (W * (1 / 2)) = W); last by fld.
by rewrite ler_wpmul2l ?ler0n // ler_wpmul2l // T4_Xle.
Qed.

(** *** Step 5: [T^2 <= a S2] (Cauchy-Schwarz over [A x B]) and [2 S2 <= PVar]. *)
Lemma T4_step5_cs : T4_T ^+ 2 <= T4_a * T4_S2.
Proof.
pose w (pr : resp * resp) := c pr.1 * (1 - c pr.2) * (mu pr.1 * mu pr.2).
have w0 : forall pr, 0 <= w pr.
  by move=> pr; rewrite !mulr_ge0 ?T4_c0 ?T4_1c0 ?T4_mu0.
have := cauchy_schwarz_weighted (fun _ => 1) (fun pr => X pr.1 pr.2) w0.
rewrite -T4_a_pairs /T4_T /T4_S2 !pair_bigA /=.
congr (_ ^+ 2 <= _ * _); apply: eq_bigr => pr _; rewrite /w; fld.
Qed.

Lemma T4_step5_pvar : 2 * T4_S2 <= pvar mu q.
Proof.
set S2' := \sum_i \sum_j c j * (1 - c i) * (mu i * mu j) * X i j ^+ 2.
set S3 := \sum_i \sum_j (c i * c j + (1 - c i) * (1 - c j)) * (mu i * mu j) * X i j ^+ 2.
have e : pvar mu q = T4_S2 + S2' + S3.
  rewrite T4_pvar_centred /T4_S2 /S2' /S3 -!big_split; apply: eq_bigr => i _.
  rewrite -!big_split; apply: eq_bigr => j _ /=; fld.
have e' : S2' = T4_S2.
  rewrite /S2' /T4_S2 exchange_big /=; apply: eq_bigr => i _; apply: eq_bigr => j _.
  by rewrite T4_Xanti; fld.
have S30 : 0 <= S3.
  apply: sumr_ge0 => i _; apply: sumr_ge0 => j _.
  apply: mulr_ge0; last exact: sqr_ge0.
  apply: mulr_ge0; last by rewrite mulr_ge0 ?T4_mu0.
  by rewrite addr_ge0 // mulr_ge0 ?T4_c0 ?T4_1c0.
have -> : 2 * T4_S2 = T4_S2 + T4_S2 by fld.
by rewrite e e' ler_addl.
Qed.

Lemma T4_S20 : 0 <= T4_S2.
Proof.
apply: sumr_ge0 => i _; apply: sumr_ge0 => j _.
by rewrite mulr_ge0 ?sqr_ge0 // !mulr_ge0 ?T4_c0 ?T4_1c0 ?T4_mu0.
Qed.

Lemma T4_pvar0 : 0 <= pvar mu q.
Proof. by apply: le_trans T4_step5_pvar; rewrite mulr_ge0 ?ler0n ?T4_S20. Qed.

(** *** Step 6: [4 T^3 <= a^2 PVar]. *)
Lemma T4_step6 : 4 * T4_T ^+ 3 <= T4_a ^+ 2 * pvar mu q.
Proof.
have h2 : 2 * T4_T ^+ 2 <= T4_a * pvar mu q.
  apply: le_trans (_ : 2 * (T4_a * T4_S2) <= _).
    by rewrite ler_wpmul2l ?ler0n ?T4_step5_cs.
  by rewrite mulrCA ler_wpmul2l ?T4_a0 // T4_step5_pvar.
have := ler_pmul (mulr_ge0 (ler0n _ 2) T4_T0) (mulr_ge0 (ler0n _ 2) (sqr_ge0 T4_T))
  T4_step4 h2.
by congr (_ <= _); fld.
Qed.

(** ** The theorems. *)

(** [||grad|| <= beta G / 2] (md step 4). *)
Theorem T4_half : norm (grad beta mu p q s) <= beta * G / 2.
Proof.
have [G0 _] := s_bound.
rewrite ler_pdivl_mulr ?ltr0Sn //.
apply: le_trans (ler_wpmul2r (ler0n _ 2) T4_step3_grad) _.
have bG : 0 <= beta * G by rewrite mulr_ge0.
have -> : 4 * beta * G * T4_T * 2 = (beta * G) * (4 * (2 * T4_T)) by fld.
rewrite -[X in _ <= X]mulr1 ler_wpmul2l //.
by apply: le_trans T4_a_quarter; rewrite ler_wpmul2l ?ler0n ?T4_step4.
Qed.

(** [||grad||^3 <= (beta G)^3 PVar_labels], i.e. [||grad|| <= beta G PVar^(1/3)] (md step 6). *)
Theorem T4_cube : norm (grad beta mu p q s) ^+ 3 <= (beta * G) ^+ 3 * pvar mu q.
Proof.
have [G0 _] := s_bound.
have bG : 0 <= beta * G by rewrite mulr_ge0.
apply: le_trans (_ : (4 * beta * G * T4_T) ^+ 3 <= _).
  apply: ler_expn2r; rewrite ?nnegrE ?norm_ge0 ?T4_step3_grad //.
  by rewrite !mulr_ge0 ?ler0n ?T4_T0.
have e : (4 * beta * G * T4_T) ^+ 3 = 16 * (beta * G) ^+ 3 * (4 * T4_T ^+ 3) by fld.
rewrite e; apply: le_trans (_ : 16 * (beta * G) ^+ 3 * (T4_a ^+ 2 * pvar mu q) <= _).
  by rewrite ler_wpmul2l ?T4_step6 // mulr_ge0 ?ler0n ?exprn_ge0.
have e2 : 16 * (beta * G) ^+ 3 * (T4_a ^+ 2 * pvar mu q)
        = (4 * T4_a) ^+ 2 * ((beta * G) ^+ 3 * pvar mu q) by fld.
have h4 : (4 * T4_a) ^+ 2 <= 1.
  have a4 : 0 <= 4 * T4_a by rewrite mulr_ge0 ?ler0n ?T4_a0.
  by rewrite expr2 -[X in _ <= X]mulr1; apply: ler_pmul => //; exact: T4_a_quarter.
by rewrite e2 -[X in _ <= X]mul1r ler_wpmul2r ?mulr_ge0 ?exprn_ge0 ?T4_pvar0.
Qed.

(** The intermediate forms of the md's statement, for reuse: [||grad|| <= 2 beta G a] and
    [||grad|| <= 4 beta G T]. *)
Lemma T4_grad_le_a : norm (grad beta mu p q s) <= 2 * beta * G * T4_a.
Proof.
have [G0 _] := s_bound.
apply: le_trans T4_step3_grad _.
have e : 4 * beta * G * T4_T = 2 * beta * G * (2 * T4_T) by fld.
by rewrite e ler_wpmul2l ?T4_step4 // !mulr_ge0 ?ler0n.
Qed.

End T4.

(** ** Two responses at the reference: closed forms (used by the sharpness witness, T2, T3). *)

Section TwoResponses.

Variable R : rcfType.
Variable d : nat.
Notation vec := 'rV[R]_d.

Variables (beta : R) (mu : 'I_2 -> R) (p q : 'I_2 -> 'I_2 -> R) (s : 'I_2 -> vec).
Hypothesis mu_dist : is_dist mu.
Hypothesis p_ref : at_reference p.
Hypothesis q_anti : forall i j, q j i = 1 - q i j.

(** [grad = -2 beta mu_1 mu_2 X (s_1 - s_2)] with [X = q 1 2 - 1/2] (md T2 step 3). *)
Lemma T4_two_grad :
  grad beta mu p q s
  = (- (2 * beta * mu ord0 * mu ord_max * (q ord0 ord_max - 1 / 2))) *: (s ord0 - s ord_max).
Proof.
rewrite /grad.
have qii : forall i, q i i = 1 / 2.
  move=> i; apply/eqP; rewrite -subr_eq0; apply/eqP/T4_self_opp.
  by rewrite [in LHS]q_anti; fld.
rewrite !T4_sum2 !p_ref !qii (q_anti ord0 ord_max) !subrr ?mulr0 ?scale0r ?scaler0 ?addr0 ?add0r.
rewrite -[s ord_max - s ord0]opprB scalerN -scaleNr -scalerDl scalerA.
by congr (_ *: _); fld.
Qed.

(** [PVar = 2 mu_1 mu_2 X^2] (md T2 step 2). *)
Lemma T4_two_pvar : pvar mu q = 2 * mu ord0 * mu ord_max * (q ord0 ord_max - 1 / 2) ^+ 2.
Proof.
have Emean : Epair mu q = 1 / 2.
  have h : Epair mu q = (\sum_i \sum_j mu i * mu j * (q i j - 1 / 2))
                       + (\sum_i mu i) * (\sum_j mu j) / 2.
    rewrite T4_sum_mul mulr_suml -big_split; apply: eq_bigr => i _.
    rewrite mulr_suml -big_split; apply: eq_bigr => j _; fld.
  rewrite h (T4_antisym_sum0 mu (w := fun i j => q i j - 1 / 2)); last first.
    by move=> i j; rewrite q_anti; fld.
  by case: mu_dist => _ ->; rewrite add0r mul1r.
have qii : forall i, q i i = 1 / 2.
  move=> i; apply/eqP; rewrite -subr_eq0; apply/eqP/T4_self_opp.
  by rewrite [in LHS]q_anti; fld.
rewrite /pvar Emean /Epair !T4_sum2 !qii (q_anti ord0 ord_max); fld.
Qed.

End TwoResponses.

(** ** The sharpness witness: two equally likely responses, [d = 1]. *)

Section Witness.

Variable R : rcfType.

(** The unit row [e] of ['rV_1] and norms of its multiples. *)
Definition T4_e : 'rV[R]_1 := const_mx 1.

Lemma T4_norm_e (a : R) : norm (a *: T4_e) = `|a|.
Proof.
rewrite normZ /norm /norm2 /dot big_ord1 /T4_e !mxE mulr1 sqrtr1 mulr1 //.
Qed.

(** The instance, parametrised by [t = 2X] in [(0, 1)]: [mu = (1/2, 1/2)], [p = 1/2],
    [q 1 2 = (1 + t)/2], features [phi_1 = e], [phi_2 = 0] (so scores [+- e/2], [G = 1/2]). *)
Definition T4_wmu (i : 'I_2) : R := 1 / 2.
Definition T4_wp (i j : 'I_2) : R := 1 / 2.
Definition T4_wq (t : R) (i j : 'I_2) : R :=
  if i == j then 1 / 2 else if i == ord0 then (1 + t) / 2 else (1 - t) / 2.
Definition T4_wphi (i : 'I_2) : 'rV[R]_1 := if i == ord0 then T4_e else 0.
Definition T4_ws : 'I_2 -> 'rV[R]_1 := score T4_wmu T4_wphi.
Definition T4_wG : R := 1 / 2.

Lemma T4_wmu_dist : is_dist T4_wmu.
Proof.
split; first by move=> i; rewrite /T4_wmu divr_ge0 ?ler01 ?ler0n.
by rewrite T4_sum2 /T4_wmu -splitr.
Qed.

Lemma T4_wp_ref : at_reference T4_wp.
Proof. by []. Qed.

Lemma T4_ws_val : T4_ws ord0 = (1 / 2) *: T4_e /\ T4_ws ord_max = (- (1 / 2)) *: T4_e.
Proof.
rewrite /T4_ws /score /mean_row T4_sum2 /T4_wphi /T4_wmu /= scaler0 addr0; split.
  by rewrite -[X in X - _]scale1r -scalerBl; congr (_ *: _); fld.
by rewrite sub0r scaleNr.
Qed.

Lemma T4_ws_norm (i : 'I_2) : norm (T4_ws i) = T4_wG.
Proof.
have [h0 h1] := T4_ws_val.
case: (T4_ord2 i) => ->; rewrite ?h0 ?h1 T4_norm_e.
  by rewrite ger0_norm // divr_ge0 ?ler01 ?ler0n.
by rewrite normrN ger0_norm // divr_ge0 ?ler01 ?ler0n.
Qed.

Lemma T4_ws_bound : score_bound T4_ws T4_wG.
Proof.
split; first by rewrite /T4_wG divr_ge0 ?ler01 ?ler0n.
by move=> y; rewrite T4_ws_norm.
Qed.

Variable t : R.
Hypothesis t0 : 0 < t.
Hypothesis t1 : t < 1.

Lemma T4_wq_anti i j : T4_wq t j i = 1 - T4_wq t i j.
Proof.
by rewrite /T4_wq; case: (T4_ord2 i) => ->; case: (T4_ord2 j) => -> /=; fld.
Qed.

Lemma T4_half_open (y : R) : 0 < y -> y < 2 -> 0 < y / 2 < 1.
Proof.
move=> y0 y2; have h2 : (0 : R) < 2 by rewrite ltr0Sn.
by rewrite divr_gt0 //= ltr_pdivr_mulr // mul1r.
Qed.

Lemma T4_wq_open i j : 0 < T4_wq t i j < 1.
Proof.
have two : (2 : R) = 1 + 1 by fld.
rewrite /T4_wq; case: (i == j); last case: (i == ord0).
- by rewrite T4_half_open ?ltr01 // two ltr_addl ltr01.
- by rewrite T4_half_open ?addr_gt0 ?ltr01 // two ltr_add2l.
- rewrite T4_half_open ?subr_gt0 // two ltr_add2l ltr_oppl.
  by apply: lt_trans t0; rewrite oppr_lt0 ltr01.
Qed.

Lemma T4_wq_pref : is_pref (T4_wq t).
Proof.
split; first exact: T4_wq_anti.
by move=> i j; have /andP [h0 h1] := T4_wq_open i j; rewrite !ltW.
Qed.

Lemma T4_wq_X : T4_wq t ord0 ord_max - 1 / 2 = t / 2.
Proof.
by rewrite /T4_wq /=; fld.
Qed.

Variable beta : R.
Hypothesis beta0 : 0 < beta.

(** On the witness [||grad|| = t (beta G / 2)]... *)
Lemma T4_witness_half :
  norm (grad beta T4_wmu T4_wp (T4_wq t) T4_ws) = t * (beta * T4_wG / 2).
Proof.
rewrite (T4_two_grad _ _ _ T4_wp_ref T4_wq_anti) T4_wq_X.
have [h0 h1] := T4_ws_val; rewrite h0 h1 -scalerBl scalerA T4_norm_e.
have -> : - (2 * beta * T4_wmu ord0 * T4_wmu ord_max * (t / 2)) * (1 / 2 - - (1 / 2))
          = - (t * (beta * T4_wG / 2)) by rewrite /T4_wmu /T4_wG; fld.
rewrite normrN ger0_norm // mulr_ge0 ?(ltW t0) // divr_ge0 ?ler0n //.
by rewrite mulr_ge0 ?(ltW beta0) // /T4_wG divr_ge0 ?ler01 ?ler0n.
Qed.

(** ... and [||grad||^3 = t (beta G)^3 PVar]: both ratios equal [t = 2X]. *)
Lemma T4_witness_cube :
  norm (grad beta T4_wmu T4_wp (T4_wq t) T4_ws) ^+ 3
  = t * ((beta * T4_wG) ^+ 3 * pvar T4_wmu (T4_wq t)).
Proof.
by rewrite T4_witness_half (T4_two_pvar T4_wmu_dist T4_wq_anti) T4_wq_X /T4_wmu /T4_wG; fld.
Qed.

End Witness.

Arguments T4_e {R}.
Arguments T4_wmu {R}.
Arguments T4_wp {R}.
Arguments T4_wphi {R}.
Arguments T4_ws {R}.
Arguments T4_wG {R}.

(** [T4_sharp]: the constants [1/2] (of [T4_half]) and [1] (of [T4_cube]) cannot be lowered:
    for every [beta > 0] and [c < 1] one instance (K = 2, d = 1, at the reference, uniform
    pairs, labels strictly inside [(0, 1)], log-linear scores, [G] the attained maximum score
    norm) beats [c] in both. *)
Theorem T4_sharp (R : rcfType) (beta c : R) : 0 < beta -> c < 1 ->
  exists (mu : 'I_2 -> R) (p q : 'I_2 -> 'I_2 -> R) (phi s : 'I_2 -> 'rV[R]_1) (G : R),
    [/\ is_dist mu, at_reference p, is_pref q & forall i j, 0 < q i j < 1]
    /\ [/\ s = score mu phi, score_bound s G & exists y, norm (s y) = G]
    /\ c * (beta * G / 2) < norm (grad beta mu p q s)
    /\ c * ((beta * G) ^+ 3 * pvar mu q) < norm (grad beta mu p q s) ^+ 3.
Proof.
move=> b0 c1.
pose t : R := (1 + Num.max c 0) / 2.
have h2 : (0 : R) < 2 by rewrite ltr0Sn.
have mx0 : 0 <= Num.max c 0 by rewrite le_maxr lexx orbT.
have mx1 : Num.max c 0 < 1 by rewrite lt_maxl c1 ltr01.
have t0 : 0 < t by rewrite divr_gt0 // ltr_paddr.
have ct : Num.max c 0 < t.
  by rewrite /t ltr_pdivl_mulr // mulrDr mulr1 ltr_add2r.
have t1 : t < 1.
  have two : (2 : R) = 1 + 1 by fld.
  by rewrite /t ltr_pdivr_mulr // mul1r two ltr_add2l.
have ct' : c < t by apply: le_lt_trans ct; rewrite le_maxr lexx.
exists T4_wmu, T4_wp, (T4_wq t), T4_wphi, T4_ws, T4_wG; split; last split; last split.
- split; [exact: T4_wmu_dist | exact: T4_wp_ref | exact: T4_wq_pref | exact: T4_wq_open].
- by split; [| exact: T4_ws_bound | exists ord0; exact: T4_ws_norm].
- rewrite (T4_witness_half t0 b0) ltr_pmul2r // divr_gt0 ?mulr_gt0 ?ltr01 //.
  by rewrite invr_gt0.
- rewrite (T4_witness_cube t0 b0) ltr_pmul2r //.
  rewrite (T4_two_pvar (@T4_wmu_dist R) (@T4_wq_anti R t)) T4_wq_X /T4_wmu /T4_wG.
  have h12 : (0 : R) < 1 / 2 by rewrite divr_gt0 ?ltr01.
  have t2 : 0 < t / 2 by rewrite divr_gt0.
  apply: mulr_gt0; first by apply: exprn_gt0; rewrite mulr_gt0.
  apply: mulr_gt0; last exact: exprn_gt0.
  by apply: mulr_gt0 => //; apply: mulr_gt0.
Qed.
