"""Writes scenarios/bench-national.toml: the benchmark's national load.

2,000 aircraft airborne at once over Niger and its neighbours, 30 radars (the ten of the
Niger exercise and twenty more on a grid), 15 ADS-B stations, 20 false alarms per scan on
every long-range radar. Run from the repository root: python3 bench/make_national.py [SCALE [ADSB_SHARE]]
SCALE multiplies the traffic (20 gives about 40,000 aircraft airborne, for the tracker's scale
benchmark) and writes scenarios/bench-national-xSCALE.toml instead.
"""
import csv
import math
import random
import sys

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
# The share of flights that broadcast ADS-B (default: each class's own). The scale benchmark
# lowers it, so that radar plots, not squitters heard by several stations, are the load.
adsb_share = float(sys.argv[2]) if len(sys.argv) > 2 else None

rng = random.Random(2026)
base = open("scenarios/niger.toml").read()
# Keep the Niger exercise's header, region and sensors; drop its traffic.
head = base[: base.index("# Scheduled civil traffic")]
head = head.replace('name = "Niger — national air picture"', 'name = "National load benchmark"')
head = head[: head.index("# -----", head.index("[[adsb]]") - 400)] if False else head
out = [head.rstrip().rstrip("#-").rstrip() + "\n"]

sites = []
for lat in (12.5, 15.0, 17.5, 20.0, 22.5):
    for lon in (1.0, 4.0, 7.0, 10.0):
        sites.append((lat + rng.uniform(-0.5, 0.5), lon + rng.uniform(-0.5, 0.5)))
for i, (lat, lon) in enumerate(sites):
    out.append(f"""
[[radar]]
id = "grid-{i:02d}"
lat_deg = {lat:.3f}
lon_deg = {lon:.3f}
mast_m = 30
rotation_period_s = {rng.choice([6, 10, 12])}
range_m = 350000
three_d = {rng.choice(['true', 'false'])}
sigma_range_m = 60
sigma_azimuth_deg = 0.12
sigma_elevation_deg = 0.3
pd_reference = {{ range_m = 250000, rcs_m2 = 2.0, pd = 0.9 }}
false_alarms_per_scan = 20
ssr = {{ mode = "mode_s", pd = 0.98 }}
""")
for i in range(8):
    out.append(f"""
[[adsb]]
id = "adsb-grid-{i}"
lat_deg = {rng.uniform(12, 23):.3f}
lon_deg = {rng.uniform(0.5, 15):.3f}
""")

hubs = ["LFPG", "LFML", "LEMD", "LIRF", "LTFM", "LPPT", "EBBR", "OMDB", "HECA", "GMMN",
        "DAAG", "DTTA", "HLLM", "HAAB", "OEJN", "HSSK"]
south = ["DNMM", "DNAA", "DNKN", "DGAA", "DFFD", "DIAP", "DBBB", "DXXX", "FTTJ",
         "FKKD", "FKYS", "DRRN", "DRZA", "DRZR"]
types = ["airliner"] * 6 + ["business_jet"] * 2 + ["light_aircraft"]
airports = {}
for path, cols in (("data/niger/niger_airports.csv", (0, 4, 5)), ("data/airports/regional_hubs.csv", (0, 5, 6))):
    for row in csv.reader(open(path)):
        if row[0] != "icao":
            airports[row[cols[0]]] = (float(row[cols[1]]), float(row[cols[2]]))


def crosses_area(a, b):
    """Whether the great circle a-b passes the simulated area (Niger's box + 400 km)."""
    (la1, lo1), (la2, lo2) = (map(math.radians, airports[a]), map(math.radians, airports[b]))
    p = [math.cos(la1) * math.cos(lo1), math.cos(la1) * math.sin(lo1), math.sin(la1)]
    q = [math.cos(la2) * math.cos(lo2), math.cos(la2) * math.sin(lo2), math.sin(la2)]
    for i in range(201):
        t = i / 200
        v = [(1 - t) * x + t * y for x, y in zip(p, q)]
        lat = math.degrees(math.atan2(v[2], math.hypot(v[0], v[1])))
        lon = math.degrees(math.atan2(v[1], v[0]))
        if 8.1 < lat < 27.1 and -3.7 < lon < 19.8:
            return True
    return False


pairs = [(a, b) for a in hubs for b in south if crosses_area(a, b)]
rng.shuffle(pairs)
for a, b in pairs[:110]:
    for frm, to in ((a, b), (b, a)):
        out.append(f"""
[[traffic.flow]]
from = "{frm}"
to = "{to}"
per_hour = {3.1 * scale:g}
aircraft = "{rng.choice(types)}"
""" + (f"adsb_share = {adsb_share:g}\n" if adsb_share is not None else ""))
name = "scenarios/bench-national.toml" if scale == 1.0 else f"scenarios/bench-national-x{scale:g}.toml"
if adsb_share is not None:
    name = name.replace(".toml", f"-adsb{adsb_share:g}.toml")
open(name, "w").write("".join(out))
