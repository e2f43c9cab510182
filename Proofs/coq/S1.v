(** * S1: PVar bounds the signal-to-noise ratio of the one-pair stochastic gradient.

    Coq counterpart of [Proofs/S1-snr.md] (with [Proofs/setting.md] §9); lemma names follow the
    md's numbered steps ([S1_step1] ... [S1_step15]).  The noise is [noise] of [Setting.v]: the
    expectation over the pair [i, j ~ mu] and the label [z ~ Bernoulli(q_ij)] of
    [||g - grad||^2], [g = beta (p_ij - z)(s_i - s_j)], written with both labels.

    What is formalised, and in what generality.
    - (a) The noise decomposition ([S1_step3] centred at [grad]; [S1_noise_decomposition] in the
      md's form [beta^2 (E||r Delta - m||^2 + E[q(1-q)||Delta||^2])] with [m = E[r Delta]], so no
      division by [beta]) holds for ANY [beta], [mu], [p], [q], [s]; the unbiasedness
      [E g = grad] is [S1_step1].  The floors need [mu >= 0] ([is_dist]); [E[q(1-q)] = 1/4 - PVar]
      and the [G]-floor need [q j i = 1 - q i j] (not [0 <= q <= 1]).
    - (b) At the reference ([p = 1/2]): [N = beta^2 D^2/4 - S], the floor, and the SNR bound in
      the multiplied-out form [S (1 - 4 PVar) <= 4 PVar N] ([S1_snr], antisymmetric [q] only);
      [PVar < 1/4] and the ratio form [S / N <= 4 PVar / (1 - 4 PVar)] ([S1_snr_ratio]) use
      [is_pref q]; mathcomp's [x / 0 = 0] is the md's convention [0/0 := 0].
    - Equality: on two responses at the reference, the multiplied-out equality holds for every
      [mu], [beta], [s] ([S1_snr_equality_two]); the ratio equality needs [N > 0], i.e.
      [beta != 0] and [D > 0] ([S1_snr_equality_two_ratio]); with [D = 0], [S = N = 0]
      ([S1_degenerate]) and [SNR = 0] is below the bound whenever [PVar > 0].  With labels that
      are not Bradley–Terry there are equality witnesses for every [K]: [d = 1],
      [q_ij = 1/2 + c (s_i - s_j)] ([S1_snr_equality_linear]); a concrete non-degenerate one with
      [K = 3] is [S1_snr_equality_witness] / [S1_snr_witness_values] ([SNR = 1/11]).
    - (c) The weaker forms of steps 14–15, multiplied out and as ratios, at the reference.

    Not formalised: the exact ratio [rho^2 (1 - 4 PVar)/(1 - 4 rho^2 PVar)] of the Tightness
    section (only its consequence "equality iff B0 is an equality", [S1_snr_gap]), the numerical
    searches and certificates, and the near-reference allowances (Edge cases); the gradient is
    taken in its pair form [grad] (see [Setting.v]).  Uses I2 ([I2_pvar_centred]), I3
    ([I3_spread_le], [I3_score_difference]) and B0 ([B0_sq_weak]). *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp Require Import ring.
From PVar Require Import Setting Sums I2 I3 B0.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import Order.TTheory GRing.Theory Num.Theory.
Local Open Scope ring_scope.
Section S1.

Variable R : rcfType.
Variables K d : nat.

Notation resp := 'I_K.
Notation vec := 'rV[R]_d.

Implicit Types (mu : resp -> R) (p q : resp -> resp -> R) (s : resp -> vec) (beta : R).

(** ** Pair expectations: linearity and monotonicity. *)
Lemma S1_eq_Epair mu (f g : resp -> resp -> R) :
  (forall i j, f i j = g i j) -> Epair mu f = Epair mu g.
Proof. by move=> e; apply: eq_bigr => i _; apply: eq_bigr => j _; rewrite e. Qed.

Lemma S1_EpairD mu (f g : resp -> resp -> R) :
  Epair mu (fun i j => f i j + g i j) = Epair mu f + Epair mu g.
Proof.
rewrite /Epair -big_split; apply: eq_bigr => i _.
by rewrite -big_split; apply: eq_bigr => j _; rewrite mulrDr.
Qed.

Lemma S1_EpairZ mu c (f : resp -> resp -> R) :
  Epair mu (fun i j => c * f i j) = c * Epair mu f.
Proof.
rewrite /Epair mulr_sumr; apply: eq_bigr => i _.
by rewrite mulr_sumr; apply: eq_bigr => j _; ring.
Qed.

Lemma S1_EpairB mu (f g : resp -> resp -> R) :
  Epair mu (fun i j => f i j - g i j) = Epair mu f - Epair mu g.
Proof.
rewrite S1_EpairD -mulN1r -S1_EpairZ; congr (_ + _); apply: S1_eq_Epair => i j; ring.
Qed.

Lemma S1_Epair_le mu (f g : resp -> resp -> R) :
  (forall i, 0 <= mu i) -> (forall i j, f i j <= g i j) -> Epair mu f <= Epair mu g.
Proof.
move=> mu0 fg; apply: ler_sum => i _; apply: ler_sum => j _.
by apply: ler_wpmul2l; [exact: mulr_ge0 | exact: fg].
Qed.

Lemma S1_Epair_ge0 mu (f : resp -> resp -> R) :
  (forall i, 0 <= mu i) -> (forall i j, 0 <= f i j) -> 0 <= Epair mu f.
Proof.
move=> mu0 f0; apply: sumr_ge0 => i _; apply: sumr_ge0 => j _.
by rewrite !mulr_ge0.
Qed.

Lemma S1_Epair_const mu c : is_dist mu -> Epair mu (fun _ _ => c) = c.
Proof.
case=> _ mu1; rewrite /Epair.
have e : forall i, \sum_j mu i * mu j * c = mu i * c * \sum_j mu j.
  by move=> i; rewrite mulr_sumr; apply: eq_bigr => j _; ring.
by rewrite (eq_bigr _ (fun i _ => e i)) -mulr_suml mu1 mulr1 -mulr_suml mu1 mul1r.
Qed.

(** ** Vectors. *)
Lemma S1_dotNr (u v : vec) : dot u (- v) = - dot u v.
Proof. by rewrite dotC dotNl dotC. Qed.

Lemma S1_norm2N (u : vec) : norm2 (- u) = norm2 u.
Proof. by rewrite -scaleN1r norm2Z sqrrN expr1n mul1r. Qed.

Lemma S1_norm2_scaleB (a : R) (u w : vec) :
  norm2 (a *: u - w) = a ^+ 2 * norm2 u - 2 * a * dot u w + norm2 w.
Proof. by rewrite norm2D norm2Z S1_norm2N S1_dotNr dotZl; ring. Qed.

(** [E[beta (p - q) <Delta, w>] = <grad, w>]. *)
Lemma S1_Epair_dot_grad beta mu p q s (w : vec) :
  Epair mu (fun i j => beta * (p i j - q i j) * dot (s i - s j) w)
  = dot (grad beta mu p q s) w.
Proof.
rewrite /grad dotZl dot_suml /Epair mulr_sumr; apply: eq_bigr => i _.
rewrite dot_suml mulr_sumr; apply: eq_bigr => j _.
by rewrite dotZl; ring.
Qed.


(** ** (a) The noise, any [p], any [mu]. *)

(** The pair's expected gradient direction [m = E[r Delta]], so [grad = beta m]. *)
Definition S1_m mu p q s : vec :=
  \sum_i \sum_j (mu i * mu j * (p i j - q i j)) *: (s i - s j).

Lemma S1_grad_m beta mu p q s : grad beta mu p q s = beta *: S1_m mu p q s.
Proof. by []. Qed.

(** Step 1, given the pair: [E_z g = beta (p - q) Delta]. *)
Lemma S1_step1_pair beta (pij qij : R) (D : vec) :
  qij *: ((beta * (pij - 1)) *: D) + (1 - qij) *: ((beta * pij) *: D)
  = (beta * (pij - qij)) *: D.
Proof. by rewrite !scalerA -scalerDl; congr (_ *: _); ring. Qed.

(** Step 1: [g] is unbiased, [E g = grad] (expectation over the pair and the label). *)
Theorem S1_step1 beta mu p q s :
  \sum_i \sum_j (mu i * mu j) *:
     (q i j *: ((beta * (p i j - 1)) *: (s i - s j))
      + (1 - q i j) *: ((beta * p i j) *: (s i - s j)))
  = grad beta mu p q s.
Proof.
rewrite /grad scaler_sumr; apply: eq_bigr => i _.
rewrite scaler_sumr; apply: eq_bigr => j _.
by rewrite S1_step1_pair !scalerA; congr (_ *: _); ring.
Qed.

(** Step 2: [E_z (p - z)^2 = (p - q)^2 + q (1 - q)]. *)
Lemma S1_step2 (pij qij : R) :
  qij * (pij - 1) ^+ 2 + (1 - qij) * pij ^+ 2 = (pij - qij) ^+ 2 + qij * (1 - qij).
Proof. ring. Qed.

(** Step 3 for one pair: the label-conditional noise. *)
Lemma S1_step3_pair beta (pij qij : R) (D m : vec) :
  qij * norm2 ((beta * (pij - 1)) *: D - m) + (1 - qij) * norm2 ((beta * pij) *: D - m)
  = norm2 ((beta * (pij - qij)) *: D - m) + beta ^+ 2 * (qij * (1 - qij) * norm2 D).
Proof. rewrite !S1_norm2_scaleB; ring. Qed.

(** Step 3, with the pair noise centred at [grad] itself (no division by [beta]). *)
Theorem S1_step3 beta mu p q s :
  noise beta mu p q s
  = Epair mu (fun i j =>
      norm2 ((beta * (p i j - q i j)) *: (s i - s j) - grad beta mu p q s))
    + beta ^+ 2 * Epair mu (fun i j => q i j * (1 - q i j) * norm2 (s i - s j)).
Proof. by rewrite /noise -S1_EpairZ -S1_EpairD; apply: S1_eq_Epair => i j; rewrite S1_step3_pair. Qed.

(** (a), the noise decomposition as in the md:
    [N = beta^2 (E||r Delta - m||^2 + E[q(1-q)||Delta||^2])], [m = E[r Delta] = grad / beta]. *)
Theorem S1_noise_decomposition beta mu p q s :
  noise beta mu p q s
  = beta ^+ 2 * (Epair mu (fun i j =>
                   norm2 ((p i j - q i j) *: (s i - s j) - S1_m mu p q s))
                 + Epair mu (fun i j => q i j * (1 - q i j) * norm2 (s i - s j))).
Proof.
rewrite S1_step3 mulrDr; congr (_ + _); rewrite -S1_EpairZ; apply: S1_eq_Epair => i j.
by rewrite S1_grad_m -scalerA -scalerBr norm2Z.
Qed.

(** Step 4: the label-noise floor (the pair noise is [>= 0]). *)
Theorem S1_label_noise_floor beta mu p q s :
  is_dist mu ->
  beta ^+ 2 * Epair mu (fun i j => q i j * (1 - q i j) * norm2 (s i - s j))
  <= noise beta mu p q s.
Proof.
case=> mu0 _; rewrite S1_step3 ler_addr.
by apply: S1_Epair_ge0 => // i j; exact: norm2_ge0.
Qed.

(** Step 5: [E[q(1-q)] = 1/4 - PVar]. *)
Theorem S1_mean_label_variance mu q :
  is_dist mu -> (forall i j, q j i = 1 - q i j) ->
  mean_label_variance mu q = 1 / 4 - pvar mu q.
Proof.
move=> hmu anti; rewrite /mean_label_variance I2_pvar_centred // -(S1_Epair_const (1 / 4) hmu) -S1_EpairB.
by apply: S1_eq_Epair => i j; field.
Qed.

(** Step 6: [E[q(1-q)||Delta||^2] = D^2/4 - E[(q - 1/2)^2 ||Delta||^2]]. *)
Lemma S1_step6 mu q s :
  Epair mu (fun i j => q i j * (1 - q i j) * norm2 (s i - s j))
  = spread2 mu s / 4 - Epair mu (fun i j => (q i j - 1 / 2) ^+ 2 * norm2 (s i - s j)).
Proof.
by rewrite /spread2 mulrC -S1_EpairZ -S1_EpairB; apply: S1_eq_Epair => i j; field.
Qed.

(** [||s_i - s_j|| <= 2 G], squared. *)
Lemma S1_norm2_diff_le s G i j :
  score_bound s G -> norm2 (s i - s j) <= 4 * G ^+ 2.
Proof.
case=> G0 hG.
have h : norm (s i - s j) <= G + G.
  apply: le_trans (normD _ _) _.
  rewrite -scaleN1r normZ normrN normr1 mul1r; exact: ler_add.
have -> : 4 * G ^+ 2 = (G + G) ^+ 2 by ring.
by rewrite -sqr_norm ler_expn2r // nnegrE ?norm_ge0 ?addr_ge0.
Qed.

(** Step 7: [E[(q - 1/2)^2 ||Delta||^2] <= 4 G^2 PVar]. *)
Lemma S1_step7 mu q s G :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> score_bound s G ->
  Epair mu (fun i j => (q i j - 1 / 2) ^+ 2 * norm2 (s i - s j)) <= 4 * G ^+ 2 * pvar mu q.
Proof.
move=> hmu anti hG; rewrite I2_pvar_centred // -S1_EpairZ.
apply: S1_Epair_le => [|i j]; first by case: hmu.
rewrite mulrC; apply: ler_wpmul2r; first exact: sqr_ge0.
exact: S1_norm2_diff_le.
Qed.

(** Step 8 = (a), the floor through [G]: [N >= beta^2 (D^2/4 - 4 G^2 PVar)]. *)
Theorem S1_floor_G beta mu p q s G :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> score_bound s G ->
  beta ^+ 2 * (spread2 mu s / 4 - 4 * G ^+ 2 * pvar mu q) <= noise beta mu p q s.
Proof.
move=> hmu anti hG; apply: le_trans (S1_label_noise_floor beta p q s hmu).
apply: ler_wpmul2l; first exact: sqr_ge0.
by rewrite S1_step6 ler_sub // S1_step7.
Qed.

(** ** (b) At the reference, any [mu]. *)

(** Step 10 before specialising [p]: [N = E||g||^2 - ||E g||^2], i.e.
    [N = beta^2 E[((p - q)^2 + q (1 - q)) ||Delta||^2] - S] (uses step 2). *)
Lemma S1_noise_moment beta mu p q s :
  is_dist mu ->
  noise beta mu p q s
  = beta ^+ 2 * Epair mu (fun i j =>
                  ((p i j - q i j) ^+ 2 + q i j * (1 - q i j)) * norm2 (s i - s j))
    - signal beta mu p q s.
Proof.
move=> hmu; set g := grad beta mu p q s.
have e : Epair mu (fun i j => norm2 ((beta * (p i j - q i j)) *: (s i - s j) - g))
       = beta ^+ 2 * Epair mu (fun i j => (p i j - q i j) ^+ 2 * norm2 (s i - s j))
         - 2 * dot g g + norm2 g.
  transitivity (Epair mu (fun i j =>
      beta ^+ 2 * ((p i j - q i j) ^+ 2 * norm2 (s i - s j))
      - 2 * (beta * (p i j - q i j) * dot (s i - s j) g) + norm2 g)).
    by apply: S1_eq_Epair => i j; rewrite S1_norm2_scaleB; ring.
  by rewrite S1_EpairD S1_EpairB !S1_EpairZ S1_Epair_dot_grad S1_Epair_const.
rewrite S1_step3 -/g e /signal -/g.
have -> : Epair mu (fun i j =>
            ((p i j - q i j) ^+ 2 + q i j * (1 - q i j)) * norm2 (s i - s j))
        = Epair mu (fun i j => (p i j - q i j) ^+ 2 * norm2 (s i - s j))
          + Epair mu (fun i j => q i j * (1 - q i j) * norm2 (s i - s j)).
  by rewrite -S1_EpairD; apply: S1_eq_Epair => i j; rewrite mulrDl.
rewrite /norm2; ring.
Qed.

(** Step 9, for one pair: with [p = 1/2], [(p - q)^2 + q (1 - q) = 1/4] for both labels. *)
Lemma S1_step9 (qij : R) : (1 / 2 - qij) ^+ 2 + qij * (1 - qij) = 1 / 4.
Proof. by field. Qed.

(** Step 10: at the reference [N = beta^2 D^2 / 4 - S]. *)
Theorem S1_noise_at_reference beta mu p q s :
  is_dist mu -> at_reference p ->
  noise beta mu p q s = beta ^+ 2 * spread2 mu s / 4 - signal beta mu p q s.
Proof.
move=> hmu ref; rewrite S1_noise_moment //; congr (_ - _).
have -> : Epair mu (fun i j =>
            ((p i j - q i j) ^+ 2 + q i j * (1 - q i j)) * norm2 (s i - s j))
        = 1 / 4 * spread2 mu s.
  by rewrite /spread2 -S1_EpairZ; apply: S1_eq_Epair => i j; rewrite ref S1_step9.
by field.
Qed.

(** Step 11: at the reference [delta^2 = PVar], so B0 gives [S <= beta^2 D^2 PVar]. *)
Lemma S1_step11 beta mu p q s :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> at_reference p ->
  signal beta mu p q s <= beta ^+ 2 * spread2 mu s * pvar mu q.
Proof.
move=> hmu anti ref; have [mu0 _] := hmu.
have -> : pvar mu q = disagreement2 mu p q.
  by rewrite I2_pvar_centred //; apply: S1_eq_Epair => i j; rewrite ref -sqrrN opprB.
exact: B0_sq_weak.
Qed.

(** Step 12, first half: the noise floor at the reference, [N >= beta^2 D^2 (1/4 - PVar)]. *)
Theorem S1_noise_floor_at_reference beta mu p q s :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> at_reference p ->
  beta ^+ 2 * spread2 mu s * (1 / 4 - pvar mu q) <= noise beta mu p q s.
Proof.
move=> hmu anti ref; rewrite S1_noise_at_reference // -subr_ge0.
have -> : beta ^+ 2 * spread2 mu s / 4 - signal beta mu p q s
          - beta ^+ 2 * spread2 mu s * (1 / 4 - pvar mu q)
        = beta ^+ 2 * spread2 mu s * pvar mu q - signal beta mu p q s by field.
by rewrite subr_ge0; exact: S1_step11.
Qed.

(** Step 12, second half: [PVar <= (1 - sum_i mu_i^2) / 4 < 1/4]: the diagonal pairs have
    [q = 1/2], so [E[q(1-q)] >= sum_i mu_i^2 / 4]. *)
Theorem S1_pvar_le mu q :
  is_dist mu -> is_pref q -> pvar mu q <= (1 - \sum_i mu i ^+ 2) / 4.
Proof.
move=> hmu [anti q01]; have [mu0 _] := hmu.
have -> : pvar mu q = 1 / 4 - mean_label_variance mu q.
  by rewrite S1_mean_label_variance //; ring.
have diag : forall i, q i i = 1 / 2 by exact: I2_step1_diag.
have h : \sum_i mu i ^+ 2 / 4 <= mean_label_variance mu q.
  apply: ler_sum => i _; rewrite (bigD1 i) //= diag.
  have -> : mu i ^+ 2 / 4 = mu i * mu i * (1 / 2 * (1 - 1 / 2)) by field.
  rewrite ler_addl; apply: sumr_ge0 => j _.
  have [q0 q1] := andP (q01 i j).
  by rewrite !mulr_ge0 // subr_ge0.
by rewrite mulrBl mulr_suml ler_sub.
Qed.

Theorem S1_pvar_lt_quarter mu q : is_dist mu -> is_pref q -> pvar mu q < 1 / 4.
Proof.
move=> hmu hq; apply: le_lt_trans (S1_pvar_le hmu hq) _.
have [mu0 mu1] := hmu.
have pos : 0 < \sum_i mu i ^+ 2.
  rewrite lt_def sumr_ge0 ?andbT => [|i _]; last exact: sqr_ge0.
  apply/negP => /eqP/(psumr_eq0P (fun i _ => sqr_ge0 (mu i))) z.
  move: mu1; rewrite big1 => [/eqP|i _]; first by rewrite eq_sym oner_eq0.
  by apply/eqP; rewrite -sqrf_eq0 z.
rewrite ltr_pmul2r ?invr_gt0 ?ltr0n // ltr_subl_addl ltr_addr //.
Qed.

(** The noise is nonnegative (labels in [0, 1]). *)
Lemma S1_noise_ge0 beta mu p q s :
  is_dist mu -> (forall i j, 0 <= q i j <= 1) -> 0 <= noise beta mu p q s.
Proof.
move=> hmu q01; have [mu0 _] := hmu.
apply: le_trans (S1_label_noise_floor beta p q s hmu).
rewrite mulr_ge0 ?sqr_ge0 //; apply: S1_Epair_ge0 => // i j.
by have [q0 q1] := andP (q01 i j); rewrite !mulr_ge0 ?norm2_ge0 ?subr_ge0.
Qed.

(** The gap in step 13: [4 PVar N - S (1 - 4 PVar) = beta^2 D^2 PVar - S], the gap in B0
    (step 11).  So S1 is an equality exactly where B0 is (md, Tightness). *)
Theorem S1_snr_gap beta mu p q s :
  is_dist mu -> at_reference p ->
  4 * pvar mu q * noise beta mu p q s - signal beta mu p q s * (1 - 4 * pvar mu q)
  = beta ^+ 2 * spread2 mu s * pvar mu q - signal beta mu p q s.
Proof. by move=> hmu ref; rewrite S1_noise_at_reference //; field. Qed.

(** Step 13, multiplied out: [S (1 - 4 PVar) <= 4 PVar N], i.e. [S/N <= 4 PVar/(1 - 4 PVar)].
    It needs neither [0 <= q <= 1] nor [PVar < 1/4]. *)
Theorem S1_snr beta mu p q s :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> at_reference p ->
  signal beta mu p q s * (1 - 4 * pvar mu q) <= 4 * pvar mu q * noise beta mu p q s.
Proof.
move=> hmu anti ref; rewrite -subr_ge0 S1_snr_gap // subr_ge0; exact: S1_step11.
Qed.

(** Step 13 as a ratio: [S / N <= 4 PVar / (1 - 4 PVar)], with mathcomp's [x / 0 = 0]
    giving the md's convention [SNR = 0] when [N = 0]. *)
Theorem S1_snr_ratio beta mu p q s :
  is_dist mu -> is_pref q -> at_reference p ->
  signal beta mu p q s / noise beta mu p q s <= 4 * pvar mu q / (1 - 4 * pvar mu q).
Proof.
move=> hmu hq ref; have [mu0 _] := hmu; have [anti q01] := hq.
have P0 : 0 <= pvar mu q by exact: pvar_ge0.
have P1 : 0 < 1 - 4 * pvar mu q.
  have -> : 1 - 4 * pvar mu q = 4 * (1 / 4 - pvar mu q) by field.
  by rewrite mulr_gt0 ?ltr0n // subr_gt0 S1_pvar_lt_quarter.
have [N0|Nne] := eqVneq (noise beta mu p q s) 0.
  by rewrite N0 invr0 mulr0 divr_ge0 ?mulr_ge0 ?ler0n // ltW.
have Npos : 0 < noise beta mu p q s by rewrite lt_def Nne S1_noise_ge0.
rewrite ler_pdivr_mulr // mulrAC ler_pdivl_mulr //; exact: S1_snr.
Qed.

(** The bound in the md's second form, [4 PVar / (1 - 4 PVar) = PVar / E[q(1-q)]]. *)
Theorem S1_bound_mean_label_variance mu q :
  is_dist mu -> is_pref q ->
  4 * pvar mu q / (1 - 4 * pvar mu q) = pvar mu q / mean_label_variance mu q.
Proof.
move=> hmu hq; have [anti _] := hq; have lt := S1_pvar_lt_quarter hmu hq.
have P1 : 0 < 1 - 4 * pvar mu q.
  have -> : 1 - 4 * pvar mu q = 4 * (1 / 4 - pvar mu q) by field.
  by rewrite mulr_gt0 ?ltr0n // subr_gt0.
rewrite S1_mean_label_variance //; field.
have -> : 1 + - pvar mu q * 4 = 1 - 4 * pvar mu q by ring.
by rewrite gt_eqF.
Qed.

(** "For PVar <= 1/8 the bound is at most 8 PVar." *)
Theorem S1_bound_le_8P (P : R) : 0 <= P -> P <= 1 / 8 -> 4 * P / (1 - 4 * P) <= 8 * P.
Proof.
move=> P0 P8.
have d0 : 0 < 1 - 4 * P.
  have -> : 1 - 4 * P = 1 / 2 + 4 * (1 / 8 - P) by field.
  by rewrite ltr_paddr ?mulr_ge0 ?ler0n ?subr_ge0 // divr_gt0 ?ltr01 ?ltr0n.
rewrite ler_pdivr_mulr // -subr_ge0.
have -> : 8 * P * (1 - 4 * P) - 4 * P = 4 * P * (8 * (1 / 8 - P)) by field.
by rewrite !mulr_ge0 ?ler0n ?subr_ge0.
Qed.

(** The degenerate case [D = 0] at the reference: [S = N = 0], so [SNR = 0] (md, step 13). *)
Theorem S1_degenerate beta mu p q s :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> at_reference p -> spread2 mu s = 0 ->
  signal beta mu p q s = 0 /\ noise beta mu p q s = 0.
Proof.
move=> hmu anti ref D0.
have S0 : signal beta mu p q s = 0.
  apply/eqP; rewrite eq_le /signal norm2_ge0 andbT.
  by have := S1_step11 beta s hmu anti ref; rewrite D0 mulr0 mul0r.
by split=> //; rewrite S1_noise_at_reference // D0 S0 mulr0 mul0r subr0.
Qed.

(** ** (c) The route through the label-noise floor, and why it is weaker. *)

(** Step 14, multiplied out: where [16 G^2 PVar <= D^2],
    [S (D^2 - 16 G^2 PVar) <= 4 PVar D^2 N] (i.e. [SNR <= 4 PVar / (1 - 16 (G^2/D^2) PVar)]). *)
Theorem S1_step14 beta mu p q s G :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> at_reference p -> score_bound s G ->
  16 * G ^+ 2 * pvar mu q <= spread2 mu s ->
  signal beta mu p q s * (spread2 mu s - 16 * G ^+ 2 * pvar mu q)
  <= 4 * pvar mu q * spread2 mu s * noise beta mu p q s.
Proof.
move=> hmu anti ref hG h16; have [mu0 _] := hmu.
have P0 : 0 <= pvar mu q by exact: pvar_ge0.
have D0 : 0 <= spread2 mu s by exact: spread2_ge0.
apply: le_trans (_ : beta ^+ 2 * spread2 mu s * pvar mu q
                     * (spread2 mu s - 16 * G ^+ 2 * pvar mu q) <= _).
  by apply: ler_wpmul2r; [rewrite subr_ge0 | exact: S1_step11].
have -> : beta ^+ 2 * spread2 mu s * pvar mu q * (spread2 mu s - 16 * G ^+ 2 * pvar mu q)
        = 4 * pvar mu q * spread2 mu s
          * (beta ^+ 2 * (spread2 mu s / 4 - 4 * G ^+ 2 * pvar mu q)) by field.
by apply: ler_wpmul2l; [rewrite !mulr_ge0 ?ler0n | exact: S1_floor_G].
Qed.

(** Step 14, second form: with I3 ([D^2 <= 2 G^2]),
    [S (D^2 - 16 G^2 PVar) <= 8 G^2 PVar N] (i.e. [SNR <= 8 (G^2/D^2) PVar / (1 - 16 (G^2/D^2) PVar)]). *)
Theorem S1_step14_weak beta mu p q s G :
  is_dist mu -> is_pref q -> at_reference p -> score_bound s G ->
  16 * G ^+ 2 * pvar mu q <= spread2 mu s ->
  signal beta mu p q s * (spread2 mu s - 16 * G ^+ 2 * pvar mu q)
  <= 8 * G ^+ 2 * pvar mu q * noise beta mu p q s.
Proof.
move=> hmu hq ref hG h16; have [mu0 _] := hmu; have [anti q01] := hq.
apply: le_trans (S1_step14 beta hmu anti ref hG h16) _.
have N0 := S1_noise_ge0 beta p s hmu q01.
have P0 : 0 <= pvar mu q by exact: pvar_ge0.
have -> : 8 * G ^+ 2 * pvar mu q = 4 * pvar mu q * (2 * G ^+ 2) by ring.
apply: ler_wpmul2r => //; apply: ler_wpmul2l; first by rewrite mulr_ge0 ?ler0n.
exact: I3_spread_le.
Qed.

(** Step 14 as a ratio (with [x / 0 = 0]): [S / N <= 4 PVar / (1 - 16 (G^2/D^2) PVar)]. *)
Theorem S1_step14_ratio beta mu p q s G :
  is_dist mu -> is_pref q -> at_reference p -> score_bound s G -> 0 < spread2 mu s ->
  16 * G ^+ 2 * pvar mu q < spread2 mu s ->
  signal beta mu p q s / noise beta mu p q s
  <= 4 * pvar mu q / (1 - 16 * (G ^+ 2 / spread2 mu s) * pvar mu q).
Proof.
move=> hmu hq ref hG Dpos h16; have [mu0 _] := hmu; have [anti q01] := hq.
have P0 : 0 <= pvar mu q by exact: pvar_ge0.
have den : 0 < 1 - 16 * (G ^+ 2 / spread2 mu s) * pvar mu q.
  have -> : 1 - 16 * (G ^+ 2 / spread2 mu s) * pvar mu q
          = (spread2 mu s - 16 * G ^+ 2 * pvar mu q) / spread2 mu s.
    by field; rewrite gt_eqF.
  by rewrite divr_gt0 // subr_gt0.
have [N0|Nne] := eqVneq (noise beta mu p q s) 0.
  by rewrite N0 invr0 mulr0 divr_ge0 ?mulr_ge0 ?ler0n // ltW.
have Npos : 0 < noise beta mu p q s by rewrite lt_def Nne S1_noise_ge0.
rewrite ler_pdivr_mulr // mulrAC ler_pdivl_mulr //.
have -> : signal beta mu p q s * (1 - 16 * (G ^+ 2 / spread2 mu s) * pvar mu q)
        = signal beta mu p q s * (spread2 mu s - 16 * G ^+ 2 * pvar mu q) / spread2 mu s.
  by field; rewrite gt_eqF.
rewrite ler_pdivr_mulr // [X in _ <= X]mulrAC; apply: S1_step14 => //; exact: ltW.
Qed.

(** Step 15 and the chain of step 14, as inequalities between the bounds:
    [4P/(1-4P) <= 4P/(1 - 16 (G^2/D^2) P) <= 8 (G^2/D^2) P / (1 - 16 (G^2/D^2) P)]
    where [16 G^2 P < D^2] (uses I3, [D^2 <= 2 G^2]). *)
Theorem S1_step15 mu q s G :
  is_dist mu -> score_bound s G -> 0 < spread2 mu s ->
  16 * G ^+ 2 * pvar mu q < spread2 mu s ->
  let P := pvar mu q in let c := G ^+ 2 / spread2 mu s in
  4 * P / (1 - 4 * P) <= 4 * P / (1 - 16 * c * P)
  /\ 4 * P / (1 - 16 * c * P) <= 8 * c * P / (1 - 16 * c * P).
Proof.
move=> hmu hG Dpos h16 P c; have [mu0 _] := hmu.
have P0 : 0 <= P by exact: pvar_ge0.
have I3 : spread2 mu s <= 2 * G ^+ 2 by exact: I3_spread_le.
have c2 : 1 <= 2 * c.
  by rewrite /c mulrA ler_pdivl_mulr // mul1r.
have den : 0 < 1 - 16 * c * P.
  have -> : 1 - 16 * c * P = (spread2 mu s - 16 * G ^+ 2 * pvar mu q) / spread2 mu s.
    by rewrite /c /P; field; rewrite gt_eqF.
  by rewrite divr_gt0 // subr_gt0.
have le1 : 1 - 16 * c * P <= 1 - 4 * P.
  apply: ler_sub => //; rewrite -subr_ge0.
  have -> : 16 * c * P - 4 * P = 4 * P * (2 * (2 * c - 1) + 1) by ring.
  have h : 0 <= 2 * c - 1 by rewrite subr_ge0.
  apply: mulr_ge0; first by rewrite mulr_ge0 ?ler0n.
  by rewrite addr_ge0 ?ler01 ?mulr_ge0 ?ler0n.
split.
  apply: ler_wpmul2l; first by rewrite mulr_ge0 ?ler0n.
  by rewrite lef_pinv ?posrE // (lt_le_trans den).
apply: ler_wpmul2r; first by rewrite invr_ge0 ltW.
rewrite -subr_ge0.
have -> : 8 * c * P - 4 * P = 4 * P * (2 * c - 1) by ring.
by rewrite !mulr_ge0 ?ler0n ?subr_ge0.
Qed.
End S1.

(** ** Equality on two responses (Tightness, corrected per the referee). *)
Section S1_two.

Variable R : rcfType.
Variable d : nat.
Notation vec := 'rV[R]_d.

Implicit Types (mu : 'I_2 -> R) (p q : 'I_2 -> 'I_2 -> R) (s : 'I_2 -> vec) (beta : R).

Lemma S1_norm2_0 : norm2 (0 : vec) = 0.
Proof. by rewrite /norm2 /dot big1 // => k _; rewrite mxE mul0r. Qed.

(** On two responses at the reference B0 is an equality: [S = beta^2 D^2 PVar]. *)
Lemma S1_two_B0_equality beta mu p q s :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> at_reference p ->
  signal beta mu p q s = beta ^+ 2 * spread2 mu s * pvar mu q.
Proof.
move=> hmu anti ref; rewrite I2_pvar_centred //.
have diag := I2_step1_diag anti.
set i0 : 'I_2 := ord0; set i1 : 'I_2 := lift ord0 ord0.
have a10 : q i1 i0 = 1 - q i0 i1 by exact: anti.
have s10 : s i1 - s i0 = - (s i0 - s i1) by rewrite opprB.
rewrite /signal /grad /spread2 /Epair !big_ord_recl !big_ord0 -/i0 -/i1 /=.
rewrite !subrr !ref !diag a10 s10 !scaler0 !S1_norm2_0 S1_norm2N !addr0 !add0r.
by rewrite scalerN -scalerBl norm2Z norm2Z; field.
Qed.

(** The SNR bound of S1 is an equality on every two-response instance at the reference, in its
    multiplied-out form: no condition on [D], [beta] or the range of [q]. *)
Theorem S1_snr_equality_two beta mu p q s :
  is_dist mu -> (forall i j, q j i = 1 - q i j) -> at_reference p ->
  signal beta mu p q s * (1 - 4 * pvar mu q) = 4 * pvar mu q * noise beta mu p q s.
Proof.
move=> hmu anti ref; apply/eqP; rewrite eq_sym -subr_eq0 S1_snr_gap //.
by rewrite S1_two_B0_equality // subrr.
Qed.

(** As a ratio, [SNR = 4 PVar / (1 - 4 PVar)] needs [N > 0], i.e. [beta != 0] and [D > 0]:
    with [D = 0] (identical features, or [mu] one-hot) [S = N = 0] and [SNR = 0] (S1_degenerate),
    which is below a positive bound whenever [PVar > 0], e.g. [mu = (1/2, 1/2)], [s_1 = s_2],
    [q_12 = 1]: [PVar = 1/8], bound [1]; likewise [beta = 0]. *)
Theorem S1_snr_equality_two_ratio beta mu p q s :
  is_dist mu -> is_pref q -> at_reference p -> beta != 0 -> 0 < spread2 mu s ->
  signal beta mu p q s / noise beta mu p q s = 4 * pvar mu q / (1 - 4 * pvar mu q).
Proof.
move=> hmu hq ref b0 Dpos; have [anti _] := hq.
have lt := S1_pvar_lt_quarter hmu hq.
rewrite S1_noise_at_reference // S1_two_B0_equality //.
have h1 : 1 - 4 * pvar mu q != 0.
  have -> : 1 - 4 * pvar mu q = 4 * (1 / 4 - pvar mu q) by field.
  by rewrite mulf_neq0 // ?gt_eqF ?ltr0n // subr_gt0.
have h2 : spread2 mu s != 0 by rewrite gt_eqF.
field; rewrite h1 /=.
have -> : beta ^+ 2 * spread2 mu s + - (beta ^+ 2 * spread2 mu s * pvar mu q) * 4
        = beta ^+ 2 * spread2 mu s * (1 - 4 * pvar mu q) by ring.
by rewrite !mulf_neq0 // expf_neq0.
Qed.

End S1_two.

(** ** Equality with [K >= 3] for labels that are not Bradley–Terry (referee). *)
Section S1_linear.

Variable R : rcfType.
Variable K : nat.

Implicit Types (mu : 'I_K -> R) (p q : 'I_K -> 'I_K -> R) (s : 'I_K -> 'rV[R]_1) (beta : R).

Lemma S1_norm2_1 (u : 'rV[R]_1) : norm2 u = u 0 0 ^+ 2.
Proof. by rewrite /norm2 /dot big_ord1 expr2. Qed.

(** Labels linear in a one-dimensional score difference: [PVar = c^2 D^2]. *)
Lemma S1_linear_pvar mu q s (c : R) :
  is_dist mu -> (forall i j, q i j = 1 / 2 + c * (s i - s j) 0 0) ->
  pvar mu q = c ^+ 2 * spread2 mu s.
Proof.
move=> hmu hq.
have anti : forall i j, q j i = 1 - q i j by move=> i j; rewrite !hq !mxE; field.
rewrite I2_pvar_centred // /spread2 -S1_EpairZ; apply: S1_eq_Epair => i j.
have -> : norm2 (s i - s j) = (s i - s j) 0 0 ^+ 2 by exact: S1_norm2_1.
by rewrite hq; field.
Qed.

(** In one dimension, labels linear in the score difference, [q_ij = 1/2 + c (s_i - s_j)],
    make B0 an equality at the reference ([r = -c Delta]), hence S1 too, for every [K] and [mu]. *)
Lemma S1_linear_B0_equality beta mu p q s (c : R) :
  is_dist mu -> at_reference p -> (forall i j, q i j = 1 / 2 + c * (s i - s j) 0 0) ->
  signal beta mu p q s = beta ^+ 2 * spread2 mu s * pvar mu q.
Proof.
move=> hmu ref hq.
have anti : forall i j, q j i = 1 - q i j by move=> i j; rewrite !hq !mxE; field.
pose X := Epair mu (fun i j => (s i - s j) 0 0 ^+ 2).
have g00 : grad beta mu p q s 0 0 = - (beta * c) * X.
  rewrite /grad mxE summxE /X /Epair !mulr_sumr; apply: eq_bigr => i _.
  rewrite summxE !mulr_sumr; apply: eq_bigr => j _.
  by rewrite ref hq !mxE; field.
have D2 : spread2 mu s = X by apply: S1_eq_Epair => i j; rewrite S1_norm2_1.
have P2 : pvar mu q = c ^+ 2 * X.
  by rewrite (S1_linear_pvar hmu hq) D2.
by rewrite /signal S1_norm2_1 g00 D2 P2; ring.
Qed.

Theorem S1_snr_equality_linear beta mu p q s (c : R) :
  is_dist mu -> at_reference p -> (forall i j, q i j = 1 / 2 + c * (s i - s j) 0 0) ->
  signal beta mu p q s * (1 - 4 * pvar mu q) = 4 * pvar mu q * noise beta mu p q s.
Proof.
move=> hmu ref hq; apply/eqP; rewrite eq_sym -subr_eq0 S1_snr_gap //.
by rewrite (S1_linear_B0_equality beta hmu ref hq) subrr.
Qed.

End S1_linear.

(** A concrete witness with three responses: [d = 1], features [phi = (0, 1, 2)], policy and
    pair distribution uniform, labels [q_ij = 1/2 + (phi_i - phi_j)/8] in [[1/4, 3/4]] (linear,
    not Bradley–Terry).  Then [D^2 = 4/3], [PVar = 1/48], and for every [beta != 0]
    [SNR = 1/11 = 4 PVar / (1 - 4 PVar)]. *)
Section S1_witness.

Variable R : rcfType.

Definition S1w_phi (y : 'I_3) : 'rV[R]_1 := const_mx (y%:R).
Definition S1w_mu (y : 'I_3) : R := 1 / 3.
Definition S1w_s : 'I_3 -> 'rV[R]_1 := score S1w_mu S1w_phi.
Definition S1w_q (i j : 'I_3) : R := 1 / 2 + 1 / 8 * (S1w_phi i - S1w_phi j) 0 0.
Definition S1w_p (i j : 'I_3) : R := 1 / 2.

Theorem S1w_dist : is_dist S1w_mu.
Proof.
split=> [y|]; first by rewrite /S1w_mu divr_ge0 ?ler01 ?ler0n.
rewrite /S1w_mu sumr_const card_ord -mulr_natr; by field.
Qed.

Lemma S1w_q_nat (i j : 'I_3) : S1w_q i j = (4 + i - j)%N%:R / 8.
Proof.
have hj : (j <= 4 + i)%N by apply: leq_trans (ltnW (ltn_ord j)) (leq_addr _ _).
rewrite /S1w_q !mxE natrB // natrD; by field.
Qed.

Theorem S1w_pref : is_pref S1w_q.
Proof.
split=> [i j|i j]; first by rewrite /S1w_q !mxE; field.
rewrite S1w_q_nat divr_ge0 ?ler0n //= ler_pdivr_mulr ?ltr0n // mul1r.
have -> : (8 : R) = 8%N%:R by [].
rewrite ler_nat leq_subLR; apply: (leq_trans _ (leq_addl j 8)).
rewrite (_ : 8 = 4 + 4)%N // leq_add2l.
by apply: ltnW; apply: leq_trans (ltn_ord i) _.
Qed.

Lemma S1w_q_linear i j : S1w_q i j = 1 / 2 + 1 / 8 * (S1w_s i - S1w_s j) 0 0.
Proof. by rewrite /S1w_s I3_score_difference. Qed.

Theorem S1_snr_equality_witness beta :
  signal beta S1w_mu S1w_p S1w_q S1w_s * (1 - 4 * pvar S1w_mu S1w_q)
  = 4 * pvar S1w_mu S1w_q * noise beta S1w_mu S1w_p S1w_q S1w_s.
Proof. exact: S1_snr_equality_linear S1w_dist (fun i j => erefl) S1w_q_linear. Qed.

Lemma S1w_spread : spread2 S1w_mu S1w_s = 4 / 3.
Proof.
rewrite /spread2 /Epair !big_ord_recl !big_ord0 /S1w_s !I3_score_difference.
rewrite !S1_norm2_1 !mxE /S1w_mu /=; rewrite /bump /=.
by field.
Qed.

Lemma S1w_pvar : pvar S1w_mu S1w_q = 1 / 48.
Proof. by rewrite (S1_linear_pvar S1w_dist S1w_q_linear) S1w_spread; field. Qed.

Lemma S1w_signal beta : signal beta S1w_mu S1w_p S1w_q S1w_s = beta ^+ 2 / 36.
Proof.
rewrite (S1_linear_B0_equality beta S1w_dist (fun i j => erefl) S1w_q_linear).
by rewrite S1w_spread S1w_pvar; field.
Qed.

Lemma S1w_noise beta : noise beta S1w_mu S1w_p S1w_q S1w_s = 11 * beta ^+ 2 / 36.
Proof.
rewrite (S1_noise_at_reference beta S1w_q S1w_s S1w_dist (fun i j => erefl)).
by rewrite S1w_signal S1w_spread; field.
Qed.

(** The witness is not degenerate: for [beta != 0], [0 < S], [0 < N] and
    [SNR = 1/11 = 4 PVar / (1 - 4 PVar)]. *)
Theorem S1_snr_witness_values beta : beta != 0 ->
  [/\ 0 < signal beta S1w_mu S1w_p S1w_q S1w_s, 0 < noise beta S1w_mu S1w_p S1w_q S1w_s,
      signal beta S1w_mu S1w_p S1w_q S1w_s / noise beta S1w_mu S1w_p S1w_q S1w_s = 1 / 11
    & 4 * pvar S1w_mu S1w_q / (1 - 4 * pvar S1w_mu S1w_q) = 1 / 11].
Proof.
move=> b0; have b2 : 0 < beta ^+ 2 by rewrite exprn_even_gt0.
rewrite S1w_signal S1w_noise S1w_pvar; split.
- by rewrite divr_gt0 ?ltr0n.
- by apply: divr_gt0; [apply: mulr_gt0 => //; rewrite ltr0n | rewrite ltr0n].
- by field.
- by clear b0 b2; field.
Qed.

End S1_witness.
