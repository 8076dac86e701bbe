//! The interacting multiple model (IMM) estimator over the CV, CT and manoeuvre models, and the Kalman
//! update they share.

use nalgebra::{SMatrix, SVector};

use crate::motion::{predict, symmetrize, Cov, Model, Noise, State, DIM};

/// Measurement vectors are padded to four components: an unused component has a zero row in
/// `H`, a zero innovation and unit variance, so it changes neither the estimate, the
/// Mahalanobis distance nor log|S|.
pub const MEAS: usize = 4;
pub type MeasVec = SVector<f64, MEAS>;
pub type MeasCov = SMatrix<f64, MEAS, MEAS>;
pub type MeasJac = SMatrix<f64, MEAS, DIM>;

/// A measurement linearised at a predicted state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    /// Innovation z − h(x).
    pub nu: MeasVec,
    pub h: MeasJac,
    pub r: MeasCov,
    /// How many components are real.
    pub dim: usize,
}

/// What an innovation says about a measurement–state pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Squared Mahalanobis distance.
    pub d2: f64,
    pub ln_det_s: f64,
    /// −2 ln of the likelihood of the first two components alone (range and azimuth of a
    /// plot), 2π included: what a clutter density in that plane is compared with.
    pub neg_log_likelihood_2d: f64,
}

impl Fit {
    /// −2 ln of the Gaussian likelihood, without the 2π term common to all pairs of a size.
    pub fn neg_log_likelihood(&self) -> f64 {
        self.d2 + self.ln_det_s
    }
}

/// Kalman update of `(x, p)` by `m` (Joseph form). `None` when S is not positive-definite.
pub fn kalman_update(x: &State, p: &Cov, m: &Linear) -> Option<(State, Cov, Fit)> {
    let pht = p * m.h.transpose();
    let s = m.h * pht + m.r;
    let chol = nalgebra::Cholesky::new(symmetric4(s))?;
    let s_inv_nu = chol.solve(&m.nu);
    let d2 = m.nu.dot(&s_inv_nu);
    let ln_det_s = 2.0 * chol.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    let k = pht * chol.inverse();
    let x_new = x + k * m.nu;
    let i_kh = Cov::identity() - k * m.h;
    let p_new = symmetrize(i_kh * p * i_kh.transpose() + k * m.r * k.transpose());
    let neg_log_likelihood_2d = neg_log_likelihood_2d(&s, &m.nu);
    Some((
        x_new,
        p_new,
        Fit {
            d2,
            ln_det_s,
            neg_log_likelihood_2d,
        },
    ))
}

/// The fit of a measurement to a state without updating it (for gating and costs).
pub fn fit(p: &Cov, m: &Linear) -> Option<Fit> {
    let s = m.h * p * m.h.transpose() + m.r;
    let chol = nalgebra::Cholesky::new(symmetric4(s))?;
    let d2 = m.nu.dot(&chol.solve(&m.nu));
    let ln_det_s = 2.0 * chol.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    Some(Fit {
        d2,
        ln_det_s,
        neg_log_likelihood_2d: neg_log_likelihood_2d(&s, &m.nu),
    })
}

fn neg_log_likelihood_2d(s: &MeasCov, nu: &MeasVec) -> f64 {
    let (a, b, d) = (s[(0, 0)], 0.5 * (s[(0, 1)] + s[(1, 0)]), s[(1, 1)]);
    let det = a * d - b * b;
    if det.is_nan() || det <= 0.0 {
        return f64::INFINITY;
    }
    let d2 = (d * nu[0] * nu[0] - 2.0 * b * nu[0] * nu[1] + a * nu[1] * nu[1]) / det;
    d2 + det.ln() + 2.0 * (std::f64::consts::TAU).ln()
}

fn symmetric4(s: MeasCov) -> MeasCov {
    (s + s.transpose()) * 0.5
}

/// Mean sojourn times in each model, which set the switching probabilities for any gap.
/// Leaving a model, the target goes to either other model with equal probability.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Switching {
    pub cv_sojourn_s: f64,
    pub ct_sojourn_s: f64,
    pub manoeuvre_sojourn_s: f64,
}

impl Default for Switching {
    fn default() -> Self {
        Self {
            cv_sojourn_s: 90.0,
            ct_sojourn_s: 18.0,
            manoeuvre_sojourn_s: 8.0,
        }
    }
}

/// How many models the IMM runs.
pub const MODEL_COUNT: usize = 3;
/// Straight flight, turning flight, and a manoeuvre the other two do not explain (turn onset,
/// acceleration, the end of a turn).
pub const MODELS: [Model; MODEL_COUNT] = [Model::Cv, Model::Ct, Model::Manoeuvre];

/// The IMM state: one estimate per model and the model probabilities.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Imm {
    pub x: [State; MODEL_COUNT],
    pub p: [Cov; MODEL_COUNT],
    pub mu: [f64; MODEL_COUNT],
}

impl Imm {
    pub fn new(x: State, p: Cov) -> Self {
        Self {
            x: [x; MODEL_COUNT],
            p: [p; MODEL_COUNT],
            mu: [0.6, 0.2, 0.2],
        }
    }

    /// The probability that the target is turning.
    pub fn turn_probability(&self) -> f64 {
        self.mu[1]
    }

    /// Mixes, then predicts each model by `dt` seconds.
    #[allow(clippy::needless_range_loop)] // i and j index several per-model arrays at once
    pub fn predict(&self, dt: f64, noise: &Noise, switching: &Switching) -> Imm {
        let sojourn = [
            switching.cv_sojourn_s,
            switching.ct_sojourn_s,
            switching.manoeuvre_sojourn_s,
        ];
        // pi[i][j]: probability of moving from model i to model j within dt.
        let mut pi = [[0.0; MODEL_COUNT]; MODEL_COUNT];
        for i in 0..MODEL_COUNT {
            let stay = (-dt / sojourn[i]).exp();
            for j in 0..MODEL_COUNT {
                pi[i][j] = if i == j {
                    stay
                } else {
                    (1.0 - stay) / (MODEL_COUNT - 1) as f64
                };
            }
        }
        let mut out = *self;
        for j in 0..MODEL_COUNT {
            let c_j: f64 = (0..MODEL_COUNT).map(|i| pi[i][j] * self.mu[i]).sum();
            let w: [f64; MODEL_COUNT] = std::array::from_fn(|i| {
                if c_j > 0.0 {
                    pi[i][j] * self.mu[i] / c_j
                } else {
                    1.0 / MODEL_COUNT as f64
                }
            });
            let x0: State = (0..MODEL_COUNT).map(|i| self.x[i] * w[i]).sum();
            let mut p0 = Cov::zeros();
            for i in 0..MODEL_COUNT {
                let d = self.x[i] - x0;
                p0 += (self.p[i] + d * d.transpose()) * w[i];
            }
            let (x, p) = predict(MODELS[j], &x0, &symmetrize(p0), dt, noise);
            out.x[j] = x;
            out.p[j] = p;
            out.mu[j] = c_j;
        }
        out
    }

    /// How a measurement fits the mixture: the smallest squared Mahalanobis distance over the
    /// models (the gate: a plot any model explains is a candidate), and −2 ln of the mixture's
    /// likelihood relative to its sharpest model (the cost: the models weighted by their
    /// probabilities). `None` when no model gives a positive-definite S.
    /// Only the first `gating_models` models gate. The third figure is −2 ln of the
    /// mixture's likelihood of the first two components (`Fit::neg_log_likelihood_2d`).
    /// `linear[j]` is the measurement linearised at model j's prediction.
    pub fn fit(
        &self,
        gating_models: usize,
        linear: &[Linear; MODEL_COUNT],
    ) -> Option<(f64, f64, f64)> {
        let fits: [Option<Fit>; MODEL_COUNT] = std::array::from_fn(|j| fit(&self.p[j], &linear[j]));
        let d2_min = fits[..gating_models]
            .iter()
            .flatten()
            .map(|f| f.d2)
            .min_by(f64::total_cmp)?;
        let ln_det_min = fits
            .iter()
            .flatten()
            .map(|f| f.ln_det_s)
            .min_by(f64::total_cmp)?;
        let likelihood: f64 = fits
            .iter()
            .zip(self.mu)
            .filter_map(|(f, mu)| f.map(|f| mu * (-0.5 * (f.d2 + f.ln_det_s - ln_det_min)).exp()))
            .sum();
        let nll_2d = fits[..gating_models]
            .iter()
            .flatten()
            .map(|f| f.neg_log_likelihood_2d)
            .min_by(f64::total_cmp)?;
        Some((d2_min, -2.0 * likelihood.max(1e-300).ln(), nll_2d))
    }

    /// The mixture's mean, without its covariance.
    pub fn mean(&self) -> State {
        (0..MODEL_COUNT).map(|i| self.x[i] * self.mu[i]).sum()
    }

    /// The mixture's mean and the variances of position and velocity (the covariance's
    /// diagonal): all a pre-gate needs, at a fraction of `combined`'s cost.
    pub fn mean_and_variances(&self) -> (State, [f64; 6]) {
        let x = self.mean();
        let var = std::array::from_fn(|k| {
            (0..MODEL_COUNT)
                .map(|i| self.mu[i] * (self.p[i][(k, k)] + (self.x[i][k] - x[k]).powi(2)))
                .sum()
        });
        (x, var)
    }

    /// The moment-matched single Gaussian of the mixture.
    pub fn combined(&self) -> (State, Cov) {
        let x: State = (0..MODEL_COUNT).map(|i| self.x[i] * self.mu[i]).sum();
        let mut p = Cov::zeros();
        for i in 0..MODEL_COUNT {
            let d = self.x[i] - x;
            p += (self.p[i] + d * d.transpose()) * self.mu[i];
        }
        (x, symmetrize(p))
    }

    /// Updates each model with the measurement linearised at its own prediction, and the
    /// model probabilities by their likelihoods. `false` (and no change) when the update is
    /// numerically impossible.
    #[allow(clippy::needless_range_loop)] // j indexes several per-model arrays at once
    pub fn update(&mut self, linearize: impl Fn(&State) -> Linear) -> bool {
        let mut next = *self;
        let mut weights = [0.0; MODEL_COUNT];
        for j in 0..MODEL_COUNT {
            let m = linearize(&self.x[j]);
            let Some((x, p, fit)) = kalman_update(&self.x[j], &self.p[j], &m) else {
                return false;
            };
            next.x[j] = x;
            next.p[j] = p;
            // exp(−(d² + ln|S|)/2): the likelihood up to a factor the models share.
            weights[j] = (-0.5 * fit.neg_log_likelihood()).exp() * self.mu[j];
        }
        let total: f64 = weights.iter().sum();
        if total.is_finite() && total > 0.0 {
            // No model may vanish: each must be able to take over when the motion changes.
            let floored = weights.map(|w| (w / total).max(1e-4));
            let sum: f64 = floored.iter().sum();
            next.mu = floored.map(|w| w / sum);
        }
        *self = next;
        true
    }
}
