"""Stone Soup's strongest stock tracker on vigie's plots: EKF, GNN with a k-d tree gate,
M-of-N initiation. Writes its tracks in vigie's tracks.csv format on a regular grid, so
`vigie eval` scores both trackers the same way.

usage: python3 stonesoup_track.py PLOTS.csv SENSORS.toml TRACKS_OUT.csv GRID_S
Prints the wall time of the tracking loop alone (not the reading of the plots).
"""
import csv
import datetime
import math
import os
import sys
import time
import tomllib

import numpy as np
import pymap3d
from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
from stonesoup.deleter.time import UpdateTimeStepsDeleter
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.initiator.simple import MultiMeasurementInitiator
from stonesoup.measures import Mahalanobis
from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRange
from stonesoup.models.transition.linear import CombinedLinearGaussianTransitionModel, ConstantVelocity
from stonesoup.predictor.kalman import ExtendedKalmanPredictor
from stonesoup.types.array import CovarianceMatrix, StateVector
from stonesoup.types.detection import Detection
from stonesoup.types.state import GaussianState
from stonesoup.updater.kalman import ExtendedKalmanUpdater
from stonesoup.tracker.simple import MultiTargetTracker

plots_path, sensors_path, out_path, grid_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
# The tracker's settings: tuned by hand on the comparison scenario for Stone Soup's best
# GOSPA; override to explore (SS_Q, SS_MIN_POINTS, SS_MISSED, SS_DELETE_STEPS).
Q = float(os.environ.get("SS_Q", "20"))
MIN_POINTS = int(os.environ.get("SS_MIN_POINTS", "3"))
MISSED = float(os.environ.get("SS_MISSED", "4"))
DELETE_STEPS = int(os.environ.get("SS_DELETE_STEPS", "3"))
radar = tomllib.load(open(sensors_path, "rb"))["sensor"][0]
lat0, lon0, h0 = radar["lat_deg"], radar["lon_deg"], radar["height_m"]
scan_s = radar["scan_period_s"]
epoch = datetime.datetime(2026, 1, 1)

# Stone Soup's bearing is counter-clockwise from +x (east); vigie's azimuth clockwise from north.
measurement_model = CartesianToElevationBearingRange(
    ndim_state=6,
    mapping=(0, 2, 4),
    noise_covar=np.diag([
        math.radians(radar["sigma_elevation_deg"]) ** 2,
        math.radians(radar["sigma_azimuth_deg"]) ** 2,
        radar["sigma_range_m"] ** 2,
    ]),
)

scans = {}
for row in csv.DictReader(open(plots_path)):
    if not row["elevation_deg"]:
        continue
    t = float(row["time_s"])
    az = math.radians(float(row["azimuth_deg"]))
    z = StateVector([math.radians(float(row["elevation_deg"])), math.atan2(math.cos(az), math.sin(az)), float(row["range_m"])])
    scans.setdefault(int(t // scan_s), []).append(
        Detection(z, timestamp=epoch + datetime.timedelta(seconds=t), measurement_model=measurement_model)
    )


class Detector:
    """Yields each scan's detections, stamped with the scan's end."""

    def __iter__(self):
        for k in sorted(scans):
            yield epoch + datetime.timedelta(seconds=(k + 1) * scan_s), set(scans[k])


transition_model = CombinedLinearGaussianTransitionModel([ConstantVelocity(Q), ConstantVelocity(Q), ConstantVelocity(Q / 10)])
predictor = ExtendedKalmanPredictor(transition_model)
updater = ExtendedKalmanUpdater(measurement_model)
hypothesiser = DistanceHypothesiser(predictor, updater, measure=Mahalanobis(), missed_distance=MISSED)
associator = DetectionKDTreeGNN2D(hypothesiser=hypothesiser, predictor=predictor, updater=updater, max_distance=5_000)
deleter = UpdateTimeStepsDeleter(time_steps_since_update=DELETE_STEPS)
prior = GaussianState(StateVector([0, 0, 0, 0, 0, 0]), CovarianceMatrix(np.diag([1e4, 300.0**2, 1e4, 300.0**2, 1e4, 50.0**2])))
initiator = MultiMeasurementInitiator(
    prior_state=prior,
    measurement_model=measurement_model,
    deleter=UpdateTimeStepsDeleter(time_steps_since_update=2),
    data_associator=DetectionKDTreeGNN2D(hypothesiser=hypothesiser, predictor=predictor, updater=updater, max_distance=5_000),
    updater=updater,
    min_points=MIN_POINTS,
)
tracker = MultiTargetTracker(initiator=initiator, deleter=deleter, detector=Detector(), data_associator=associator, updater=updater)

ids = {}
rows = []
start = time.perf_counter()
for scan_end, tracks in tracker:
    t_end = (scan_end - epoch).total_seconds()
    # The grid instants of this scan, (t_end - scan_s, t_end]: every live track predicted
    # there (constant velocity), as vigie's --grid-s does.
    g = (math.floor((t_end - scan_s) / grid_s + 1e-9) + 1) * grid_s
    while g <= t_end + 1e-9:
        for track in tracks:
            s = track.state
            dt = g - (s.timestamp - epoch).total_seconds()
            x = np.asarray(s.state_vector, dtype=float).ravel()
            e, n, u = x[0] + dt * x[1], x[2] + dt * x[3], x[4] + dt * x[5]
            tid = ids.setdefault(track.id, len(ids) + 1)
            rows.append((g, tid, e, n, u, x[1], x[3], x[5]))
        g += grid_s
wall_s = time.perf_counter() - start

with open(out_path, "w") as f:
    f.write("time_s,track_id,lat_deg,lon_deg,alt_m,vn_mps,ve_mps,vu_mps,mode3a,mode_s,callsign\n")
    for g, tid, e, n, u, ve, vn, vu in rows:
        lat, lon, alt = pymap3d.enu2geodetic(e, n, u, lat0, lon0, h0)
        # The velocity, from the radar's east-north-up axes to the target's.
        vx, vy, vz = pymap3d.enu2uvw(ve, vn, vu, lat0, lon0)
        ve2, vn2, vu2 = pymap3d.uvw2enu(vx, vy, vz, lat, lon)
        f.write(f"{g:.3f},{tid},{lat:.7f},{lon:.7f},{alt:.1f},{vn2:.2f},{ve2:.2f},{vu2:.2f},,,\n")
detections = sum(len(v) for v in scans.values())
print(f"stonesoup: {detections} detections, {len(ids)} track ids, tracking loop {wall_s:.2f} s ({detections / wall_s:.0f} plots/s)")
