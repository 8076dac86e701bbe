//! Aircraft types: the performance envelope and radar cross-section of each class.
//!
//! The figures are typical of each class, not of one airframe: enough for a tracker to meet
//! what it will meet (an airliner's gentle 1–3 °/s turns, a fighter's 8–12 °/s, a drone's
//! tiny echo), and for Pd to follow from the radar equation.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AircraftType {
    Airliner,
    BusinessJet,
    LightAircraft,
    Helicopter,
    Fighter,
    SmallUav,
}

/// A class's envelope. Speeds are true airspeeds (no wind: ground speed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Performance {
    pub cruise_speed_mps: f64,
    pub approach_speed_mps: f64,
    pub speed_min_mps: f64,
    pub speed_max_mps: f64,
    pub cruise_alt_m: f64,
    pub ceiling_m: f64,
    pub climb_rate_mps: f64,
    pub descent_rate_mps: f64,
    pub turn_rate_max_deg_s: f64,
    pub bank_max_deg: f64,
    pub accel_mps2: f64,
    /// Mean radar cross-section (Swerling 1 fluctuates around it).
    pub rcs_m2: f64,
    /// Share of the class that broadcasts ADS-B, when a flow does not say.
    pub adsb_share: f64,
    /// One-sigma horizontal ADS-B position error (NACp 9 ≈ 12 m, NACp 8 ≈ 38 m, NACp 7 ≈ 76 m).
    pub adsb_sigma_m: f64,
    /// g·tan(bank_max): the lateral acceleration of the steepest coordinated turn.
    pub lateral_accel_max_mps2: f64,
}

impl AircraftType {
    pub const ALL: [AircraftType; 6] = [
        AircraftType::Airliner,
        AircraftType::BusinessJet,
        AircraftType::LightAircraft,
        AircraftType::Helicopter,
        AircraftType::Fighter,
        AircraftType::SmallUav,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AircraftType::Airliner => "airliner",
            AircraftType::BusinessJet => "business_jet",
            AircraftType::LightAircraft => "light_aircraft",
            AircraftType::Helicopter => "helicopter",
            AircraftType::Fighter => "fighter",
            AircraftType::SmallUav => "small_uav",
        }
    }

    pub fn performance(self) -> Performance {
        let p = |cruise,
                 approach,
                 min,
                 max,
                 alt,
                 ceiling,
                 climb,
                 descent,
                 turn,
                 bank,
                 accel,
                 rcs,
                 adsb,
                 sigma| {
            Performance {
                cruise_speed_mps: cruise,
                approach_speed_mps: approach,
                speed_min_mps: min,
                speed_max_mps: max,
                cruise_alt_m: alt,
                ceiling_m: ceiling,
                climb_rate_mps: climb,
                descent_rate_mps: descent,
                turn_rate_max_deg_s: turn,
                bank_max_deg: bank,
                accel_mps2: accel,
                rcs_m2: rcs,
                adsb_share: adsb,
                adsb_sigma_m: sigma,
                lateral_accel_max_mps2: crate::G_MPS2 * f64::to_radians(bank).tan(),
            }
        };
        match self {
            AircraftType::Airliner => p(
                235.0, 75.0, 65.0, 260.0, 11_300.0, 12_500.0, 12.0, 9.0, 3.0, 30.0, 1.0, 40.0,
                0.95, 12.0,
            ),
            AircraftType::BusinessJet => p(
                215.0, 65.0, 55.0, 250.0, 12_500.0, 15_500.0, 18.0, 12.0, 3.5, 30.0, 1.5, 6.0, 0.9,
                12.0,
            ),
            AircraftType::LightAircraft => p(
                60.0, 35.0, 28.0, 80.0, 2_500.0, 5_000.0, 4.0, 4.0, 6.0, 30.0, 0.6, 2.0, 0.3, 38.0,
            ),
            AircraftType::Helicopter => p(
                65.0, 30.0, 15.0, 85.0, 1_000.0, 4_500.0, 6.0, 6.0, 10.0, 35.0, 1.5, 6.0, 0.2, 38.0,
            ),
            AircraftType::Fighter => p(
                260.0, 85.0, 80.0, 600.0, 9_000.0, 16_000.0, 80.0, 80.0, 12.0, 80.0, 8.0, 3.0, 0.0,
                12.0,
            ),
            AircraftType::SmallUav => p(
                30.0, 18.0, 12.0, 45.0, 500.0, 4_000.0, 3.0, 3.0, 15.0, 40.0, 1.0, 0.05, 0.0, 76.0,
            ),
        }
    }
}

impl Performance {
    /// The tightest coordinated turn at `speed_mps`: the class's rate limit or its bank limit.
    pub fn turn_rate_max_rad_s(&self, speed_mps: f64) -> f64 {
        let by_bank = self.lateral_accel_max_mps2 / speed_mps.max(1.0);
        self.turn_rate_max_deg_s.to_radians().min(by_bank)
    }
}
