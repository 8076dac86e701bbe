//! Motion models over the state `[e, n, u, ve, vn, vu, ω]` in a track's local frame:
//! nearly constant velocity (CV), the coordinated turn (CT), and a manoeuvre model (constant
//! velocity with a large acceleration noise), all with a nearly constant vertical rate (the
//! manoeuvre model's the least constant). ω is
//! the horizontal turn rate, counter-clockwise positive (east towards north). The CV models
//! keep ω at zero, so all share one state and the IMM can mix them.

use nalgebra::{SMatrix, SVector};

pub const DIM: usize = 7;
pub type State = SVector<f64, DIM>;
pub type Cov = SMatrix<f64, DIM, DIM>;

/// Indices into the state.
pub const E: usize = 0;
pub const N: usize = 1;
pub const U: usize = 2;
pub const VE: usize = 3;
pub const VN: usize = 4;
pub const VU: usize = 5;
pub const OMEGA: usize = 6;

/// What the CV model leaves of ω's variance: not zero, so mixed covariances stay invertible.
const CV_OMEGA_VAR: f64 = 1e-10;

/// Process noise: what each model does not explain, as white-noise spectral densities.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Noise {
    /// CV: horizontal acceleration, m/s² (one sigma).
    pub cv_accel_mps2: f64,
    /// CT: horizontal acceleration besides the turn, m/s².
    pub ct_accel_mps2: f64,
    /// CT: turn-rate change, rad/s².
    pub ct_turn_accel_rad_s2: f64,
    /// Manoeuvre: horizontal acceleration, m/s².
    pub manoeuvre_accel_mps2: f64,
    /// CV and CT: vertical acceleration, m/s².
    pub vertical_accel_mps2: f64,
    /// Manoeuvre: vertical acceleration, m/s² (a level-off or a pull-up).
    pub manoeuvre_vertical_accel_mps2: f64,
}

impl Default for Noise {
    fn default() -> Self {
        Self {
            cv_accel_mps2: 0.1,
            ct_accel_mps2: 2.5,
            ct_turn_accel_rad_s2: 0.2,
            manoeuvre_accel_mps2: 60.0,
            vertical_accel_mps2: 0.3,
            manoeuvre_vertical_accel_mps2: 2.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Cv,
    Ct,
    /// Constant velocity with a large acceleration noise: what the target does that the
    /// other two do not predict.
    Manoeuvre,
}

/// Predicts `(x, p)` by `dt` seconds under `model` (an EKF step for CT).
pub fn predict(model: Model, x: &State, p: &Cov, dt: f64, noise: &Noise) -> (State, Cov) {
    let (xp, f) = match model {
        Model::Cv | Model::Manoeuvre => cv(x, dt),
        Model::Ct => ct(x, dt),
    };
    let q = process_noise(model, dt, noise);
    let mut pp = f * p * f.transpose() + q;
    if model != Model::Ct {
        pp[(OMEGA, OMEGA)] = CV_OMEGA_VAR;
    }
    (xp, symmetrize(pp))
}

fn cv(x: &State, dt: f64) -> (State, Cov) {
    let mut f = Cov::identity();
    for i in 0..3 {
        f[(i, i + 3)] = dt;
    }
    f[(OMEGA, OMEGA)] = 0.0;
    let mut xp = f * x;
    xp[OMEGA] = 0.0;
    (xp, f)
}

fn ct(x: &State, dt: f64) -> (State, Cov) {
    let w = x[OMEGA];
    let (ve, vn) = (x[VE], x[VN]);
    let wt = w * dt;
    let (s, c) = wt.sin_cos();
    // sin(ωT)/ω, (1 − cos ωT)/ω and their ω-derivatives, with their limits at ω → 0.
    let (a, b, da, db) = if w.abs() < 1e-6 {
        (
            dt,
            0.5 * w * dt * dt,
            -w * dt * dt * dt / 3.0,
            0.5 * dt * dt,
        )
    } else {
        (
            s / w,
            (1.0 - c) / w,
            (dt * c * w - s) / (w * w),
            (dt * s * w - (1.0 - c)) / (w * w),
        )
    };
    let mut xp = *x;
    xp[E] = x[E] + a * ve - b * vn;
    xp[N] = x[N] + b * ve + a * vn;
    xp[U] = x[U] + dt * x[VU];
    xp[VE] = c * ve - s * vn;
    xp[VN] = s * ve + c * vn;
    let mut f = Cov::identity();
    f[(E, VE)] = a;
    f[(E, VN)] = -b;
    f[(N, VE)] = b;
    f[(N, VN)] = a;
    f[(U, VU)] = dt;
    f[(VE, VE)] = c;
    f[(VE, VN)] = -s;
    f[(VN, VE)] = s;
    f[(VN, VN)] = c;
    f[(E, OMEGA)] = da * ve - db * vn;
    f[(N, OMEGA)] = db * ve + da * vn;
    f[(VE, OMEGA)] = -dt * s * ve - dt * c * vn;
    f[(VN, OMEGA)] = dt * c * ve - dt * s * vn;
    (xp, f)
}

/// Discrete white-noise acceleration on each axis, plus the turn-rate noise for CT.
fn process_noise(model: Model, dt: f64, noise: &Noise) -> Cov {
    let mut q = Cov::zeros();
    let (t2, t3, t4) = (dt * dt, dt * dt * dt / 2.0, dt * dt * dt * dt / 4.0);
    let (horizontal, vertical) = match model {
        Model::Cv => (noise.cv_accel_mps2, noise.vertical_accel_mps2),
        Model::Ct => (noise.ct_accel_mps2, noise.vertical_accel_mps2),
        Model::Manoeuvre => (
            noise.manoeuvre_accel_mps2,
            noise.manoeuvre_vertical_accel_mps2,
        ),
    };
    for (axis, sigma) in [(E, horizontal), (N, horizontal), (U, vertical)] {
        let var = sigma * sigma;
        q[(axis, axis)] = t4 * var;
        q[(axis, axis + 3)] = t3 * var;
        q[(axis + 3, axis)] = t3 * var;
        q[(axis + 3, axis + 3)] = t2 * var;
    }
    if model == Model::Ct {
        q[(OMEGA, OMEGA)] = dt * noise.ct_turn_accel_rad_s2.powi(2);
    }
    q
}

/// Averages a covariance with its transpose: rounding must not make it asymmetric.
pub fn symmetrize(p: Cov) -> Cov {
    (p + p.transpose()) * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ct_with_zero_turn_is_cv() {
        let x = State::from_column_slice(&[1.0, 2.0, 3.0, 100.0, -50.0, 5.0, 0.0]);
        let (a, _) = ct(&x, 6.0);
        let (b, _) = cv(&x, 6.0);
        assert!((a - b).norm() < 1e-9);
    }

    #[test]
    fn ct_turns_on_its_circle() {
        // 200 m/s east, turning at 0.1 rad/s: after a quarter turn it heads north.
        let x = State::from_column_slice(&[0.0, 0.0, 0.0, 200.0, 0.0, 0.0, 0.1]);
        let (xp, _) = ct(&x, std::f64::consts::FRAC_PI_2 / 0.1);
        assert!((xp[VE]).abs() < 1e-9 && (xp[VN] - 200.0).abs() < 1e-9);
        assert!((xp[E] - 2_000.0).abs() < 1e-6 && (xp[N] - 2_000.0).abs() < 1e-6);
    }

    #[test]
    fn ct_jacobian_matches_finite_differences() {
        for w in [0.0, 1e-7, 0.05, -0.15] {
            let x = State::from_column_slice(&[10.0, -20.0, 3000.0, 180.0, 90.0, 4.0, w]);
            let (_, f) = ct(&x, 6.0);
            for j in 0..DIM {
                let h = 1e-6;
                let mut xp = x;
                xp[j] += h;
                let mut xm = x;
                xm[j] -= h;
                let col = (ct(&xp, 6.0).0 - ct(&xm, 6.0).0) / (2.0 * h);
                assert!(
                    (col - f.column(j)).norm() < 1e-4 * (1.0 + col.norm()),
                    "ω {w}, column {j}"
                );
            }
        }
    }
}
