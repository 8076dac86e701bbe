//! The interacting multiple model (IMM) estimator over the CV and CT models, and the Kalman
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
    Some((x_new, p_new, Fit { d2, ln_det_s }))
}

/// The fit of a measurement to a state without updating it (for gating and costs).
pub fn fit(p: &Cov, m: &Linear) -> Option<Fit> {
    let s = m.h * p * m.h.transpose() + m.r;
    let chol = nalgebra::Cholesky::new(symmetric4(s))?;
    let d2 = m.nu.dot(&chol.solve(&m.nu));
    let ln_det_s = 2.0 * chol.l().diagonal().iter().map(|d| d.ln()).sum::<f64>();
    Some(Fit { d2, ln_det_s })
}

fn symmetric4(s: MeasCov) -> MeasCov {
    (s + s.transpose()) * 0.5
}

/// Mean sojourn times in each model, which set the switching probabilities for any gap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Switching {
    pub cv_sojourn_s: f64,
    pub ct_sojourn_s: f64,
}

impl Default for Switching {
    fn default() -> Self {
        Self {
            cv_sojourn_s: 30.0,
            ct_sojourn_s: 20.0,
        }
    }
}

const MODELS: [Model; 2] = [Model::Cv, Model::Ct];

/// The IMM state: one estimate per model and the model probabilities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Imm {
    pub x: [State; 2],
    pub p: [Cov; 2],
    pub mu: [f64; 2],
}

impl Imm {
    pub fn new(x: State, p: Cov) -> Self {
        Self {
            x: [x, x],
            p: [p, p],
            mu: [0.8, 0.2],
        }
    }

    /// Mixes, then predicts each model by `dt` seconds.
    #[allow(clippy::needless_range_loop)] // i and j index several per-model arrays at once
    pub fn predict(&self, dt: f64, noise: &Noise, switching: &Switching) -> Imm {
        let stay = [
            (-dt / switching.cv_sojourn_s).exp(),
            (-dt / switching.ct_sojourn_s).exp(),
        ];
        // pi[i][j]: probability of moving from model i to model j.
        let pi = [[stay[0], 1.0 - stay[0]], [1.0 - stay[1], stay[1]]];
        let mut out = *self;
        for j in 0..2 {
            let c_j: f64 = (0..2).map(|i| pi[i][j] * self.mu[i]).sum();
            let w: [f64; 2] = [0, 1].map(|i| {
                if c_j > 0.0 {
                    pi[i][j] * self.mu[i] / c_j
                } else {
                    0.5
                }
            });
            let x0: State = self.x[0] * w[0] + self.x[1] * w[1];
            let mut p0 = Cov::zeros();
            for i in 0..2 {
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

    /// The moment-matched single Gaussian of the mixture.
    pub fn combined(&self) -> (State, Cov) {
        let x: State = self.x[0] * self.mu[0] + self.x[1] * self.mu[1];
        let mut p = Cov::zeros();
        for i in 0..2 {
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
        let mut weights = [0.0; 2];
        for j in 0..2 {
            let m = linearize(&self.x[j]);
            let Some((x, p, fit)) = kalman_update(&self.x[j], &self.p[j], &m) else {
                return false;
            };
            next.x[j] = x;
            next.p[j] = p;
            // exp(−(d² + ln|S|)/2): the likelihood up to a factor the two models share.
            weights[j] = (-0.5 * fit.neg_log_likelihood()).exp() * self.mu[j];
        }
        let total = weights[0] + weights[1];
        if total.is_finite() && total > 0.0 {
            next.mu = [weights[0] / total, weights[1] / total];
        }
        // Neither model may vanish: it must be able to take over when the motion changes.
        next.mu = [next.mu[0].clamp(1e-4, 1.0 - 1e-4), 0.0];
        next.mu[1] = 1.0 - next.mu[0];
        *self = next;
        true
    }
}
