//! What sensors may know of an aircraft during one simulation frame.

use vigie_core::{Callsign, Ecef, Mode3A, ModeS};

/// One aircraft over one frame `[t0, t0 + dt)`: its states at both ends, and what it
/// radiates. Sensors interpolate between the ends at the instant they look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub target_id: u32,
    pub p0: [f64; 3],
    pub v0: [f64; 3],
    pub p1: [f64; 3],
    pub v1: [f64; 3],
    pub alt0_m: f64,
    pub alt1_m: f64,
    pub rcs_m2: f64,
    pub transponder: bool,
    pub squawk: Option<Mode3A>,
    pub mode_s: Option<ModeS>,
    pub callsign: Option<Callsign>,
    pub adsb: bool,
    pub adsb_sigma_m: f64,
    pub adsb_phase_s: f64,
    /// ADS-B position displacement (north, east) while spoofed.
    pub spoof_ne_m: Option<[f64; 2]>,
}

impl Snapshot {
    /// Position at fraction `s` ∈ [0, 1] of a frame of `dt_s`, by cubic Hermite
    /// interpolation of the end states: millimetres off the true arc for a 10 °/s turn.
    pub fn position(&self, s: f64, dt_s: f64) -> Ecef {
        let s2 = s * s;
        let s3 = s2 * s;
        let h00 = 2.0 * s3 - 3.0 * s2 + 1.0;
        let h10 = (s3 - 2.0 * s2 + s) * dt_s;
        let h01 = -2.0 * s3 + 3.0 * s2;
        let h11 = (s3 - s2) * dt_s;
        let c =
            |i: usize| h00 * self.p0[i] + h10 * self.v0[i] + h01 * self.p1[i] + h11 * self.v1[i];
        Ecef::new(c(0), c(1), c(2))
    }

    /// Altitude at fraction `s` of the frame (linear: vertical rates change slowly).
    pub fn alt_m(&self, s: f64) -> f64 {
        self.alt0_m + s * (self.alt1_m - self.alt0_m)
    }
}

/// Altitude as a transponder reports it: barometric, in steps of `step_ft`. The simulated
/// atmosphere is standard, so pressure altitude equals geometric altitude.
pub fn quantize_alt_m(alt_m: f64, step_ft: f64) -> f64 {
    const FT_M: f64 = 0.3048;
    (alt_m / FT_M / step_ft).round() * step_ft * FT_M
}
