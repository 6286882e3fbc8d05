//! Redis's 52-bit geohash (geohash.c and geohash_helper.c): interleaved 26-bit longitude and
//! latitude cells over Web Mercator's latitude range, the 9-cell cover of a search shape,
//! and haversine distances, evaluated in Redis's order so coordinates, distances and hashes
//! match Redis's output digit for digit.

pub const STEP_MAX: u8 = 26;
pub const LAT_MIN: f64 = -85.051_128_78;
pub const LAT_MAX: f64 = 85.051_128_78;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
const EARTH_RADIUS_IN_METERS: f64 = 6_372_797.560_856;
const MERCATOR_MAX: f64 = 20_037_726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bits {
    pub bits: u64,
    pub step: u8,
}

impl Bits {
    pub fn is_zero(self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The hash shifted to 52 bits: the score stored in the sorted set.
    pub fn align52(self) -> u64 {
        self.bits << (52 - self.step as u32 * 2)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub longitude: Range,
    pub latitude: Range,
}

const WGS84_LONG: Range = Range { min: LONG_MIN, max: LONG_MAX };
const WGS84_LAT: Range = Range { min: LAT_MIN, max: LAT_MAX };

fn deg_rad(a: f64) -> f64 {
    a * D_R
}

fn rad_deg(a: f64) -> f64 {
    a / D_R
}

fn interleave64(xlo: u32, ylo: u32) -> u64 {
    const B: [u64; 5] = [
        0x5555_5555_5555_5555,
        0x3333_3333_3333_3333,
        0x0F0F_0F0F_0F0F_0F0F,
        0x00FF_00FF_00FF_00FF,
        0x0000_FFFF_0000_FFFF,
    ];
    const S: [u32; 5] = [1, 2, 4, 8, 16];
    let (mut x, mut y) = (xlo as u64, ylo as u64);
    for i in (0..5).rev() {
        x = (x | (x << S[i])) & B[i];
        y = (y | (y << S[i])) & B[i];
    }
    x | (y << 1)
}

fn deinterleave64(interleaved: u64) -> u64 {
    const B: [u64; 6] = [
        0x5555_5555_5555_5555,
        0x3333_3333_3333_3333,
        0x0F0F_0F0F_0F0F_0F0F,
        0x00FF_00FF_00FF_00FF,
        0x0000_FFFF_0000_FFFF,
        0x0000_0000_FFFF_FFFF,
    ];
    const S: [u32; 6] = [0, 1, 2, 4, 8, 16];
    let mut x = interleaved;
    let mut y = interleaved >> 1;
    for i in 0..6 {
        x = (x | (x >> S[i])) & B[i];
        y = (y | (y >> S[i])) & B[i];
    }
    x | (y << 32)
}

/// geohashEncode: None outside the ranges (Redis's 0 return).
pub fn encode(
    long_r: Range,
    lat_r: Range,
    longitude: f64,
    latitude: f64,
    step: u8,
) -> Option<Bits> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&longitude) || !(LAT_MIN..=LAT_MAX).contains(&latitude) {
        return None;
    }
    if latitude < lat_r.min
        || latitude > lat_r.max
        || longitude < long_r.min
        || longitude > long_r.max
    {
        return None;
    }
    let mut lat_offset = (latitude - lat_r.min) / (lat_r.max - lat_r.min);
    let mut long_offset = (longitude - long_r.min) / (long_r.max - long_r.min);
    lat_offset *= (1u64 << step) as f64;
    long_offset *= (1u64 << step) as f64;
    // C converts the doubles to uint32_t by truncation.
    Some(Bits { bits: interleave64(lat_offset as u32, long_offset as u32), step })
}

pub fn encode_wgs84(longitude: f64, latitude: f64, step: u8) -> Option<Bits> {
    encode(WGS84_LONG, WGS84_LAT, longitude, latitude, step)
}

/// geohashDecode: None for the zero hash.
pub fn decode(long_r: Range, lat_r: Range, hash: Bits) -> Option<Area> {
    if hash.is_zero() {
        return None;
    }
    let sep = deinterleave64(hash.bits);
    let lat_scale = lat_r.max - lat_r.min;
    let long_scale = long_r.max - long_r.min;
    let ilato = sep as u32;
    let ilono = (sep >> 32) as u32;
    let div = (1u64 << hash.step) as f64;
    Some(Area {
        latitude: Range {
            min: lat_r.min + (ilato as f64 * 1.0 / div) * lat_scale,
            max: lat_r.min + ((ilato as f64 + 1.0) * 1.0 / div) * lat_scale,
        },
        longitude: Range {
            min: long_r.min + (ilono as f64 * 1.0 / div) * long_scale,
            max: long_r.min + ((ilono as f64 + 1.0) * 1.0 / div) * long_scale,
        },
    })
}

/// The centre of a cell, clamped to the valid ranges: [longitude, latitude].
pub fn area_center(a: &Area) -> [f64; 2] {
    let lon = ((a.longitude.min + a.longitude.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.latitude.min + a.latitude.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    [lon, lat]
}

/// The coordinates a stored score stands for (Redis's decodeGeohash).
pub fn decode_score(score: f64) -> Option<[f64; 2]> {
    let hash = Bits { bits: score as u64, step: STEP_MAX };
    decode(WGS84_LONG, WGS84_LAT, hash).map(|a| area_center(&a))
}

/// The score GEOADD stores for a point.
pub fn score_of(longitude: f64, latitude: f64) -> Option<u64> {
    encode_wgs84(longitude, latitude, STEP_MAX).map(Bits::align52)
}

/// The 11-character standard geohash GEOHASH returns (re-encoded over latitude ±90).
pub fn standard_hash(score: f64) -> Option<[u8; 11]> {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let [lon, lat] = decode_score(score)?;
    let r_long = Range { min: -180.0, max: 180.0 };
    let r_lat = Range { min: -90.0, max: 90.0 };
    let bits = encode(r_long, r_lat, lon, lat, 26).map_or(0, |h| h.bits);
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().enumerate().take(10) {
        let idx = (bits >> (52 - (i + 1) * 5)) & 0x1f;
        *c = ALPHABET[idx as usize];
    }
    Some(out)
}

fn move_x(hash: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let mut x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = hash.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> (64 - hash.step as u32 * 2);
    if d > 0 {
        x = x.wrapping_add(zz + 1);
    } else {
        x |= zz;
        x = x.wrapping_sub(zz + 1);
    }
    x &= 0xaaaa_aaaa_aaaa_aaaau64 >> (64 - hash.step as u32 * 2);
    hash.bits = x | y;
}

fn move_y(hash: &mut Bits, d: i8) {
    if d == 0 {
        return;
    }
    let x = hash.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let mut y = hash.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> (64 - hash.step as u32 * 2);
    if d > 0 {
        y = y.wrapping_add(zz + 1);
    } else {
        y |= zz;
        y = y.wrapping_sub(zz + 1);
    }
    y &= 0x5555_5555_5555_5555u64 >> (64 - hash.step as u32 * 2);
    hash.bits = x | y;
}

/// The 8 neighbours in Redis's field order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Neighbors {
    pub north: Bits,
    pub east: Bits,
    pub west: Bits,
    pub south: Bits,
    pub north_east: Bits,
    pub south_east: Bits,
    pub north_west: Bits,
    pub south_west: Bits,
}

fn neighbors(h: Bits) -> Neighbors {
    let at = |dx: i8, dy: i8| {
        let mut b = h;
        move_x(&mut b, dx);
        move_y(&mut b, dy);
        b
    };
    Neighbors {
        east: at(1, 0),
        west: at(-1, 0),
        south: at(0, -1),
        north: at(0, 1),
        north_west: at(-1, 1),
        south_west: at(-1, -1),
        north_east: at(1, 1),
        south_east: at(1, -1),
    }
}

/// What GEOSEARCH looks for around `center` ([longitude, latitude]); sizes in the query's
/// unit, `conversion` meters per unit.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Circle { radius: f64 },
    Box { width: f64, height: f64 },
}

#[derive(Debug, Clone, Copy)]
pub struct Search {
    pub center: [f64; 2],
    pub shape: Shape,
    pub conversion: f64,
}

/// geohashEstimateStepsByRadius.
fn estimate_steps(mut range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range_meters < MERCATOR_MAX {
        range_meters *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// geohashBoundingBox: [min_lon, min_lat, max_lon, max_lat].
fn bounding_box(s: &Search) -> [f64; 4] {
    let (height, width) = match s.shape {
        Shape::Circle { radius } => (s.conversion * radius, s.conversion * radius),
        Shape::Box { width, height } => (s.conversion * height / 2.0, s.conversion * width / 2.0),
    };
    let [longitude, latitude] = s.center;
    let lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
    let long_delta_top =
        rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude + lat_delta).cos());
    let long_delta_bottom =
        rad_deg(width / EARTH_RADIUS_IN_METERS / deg_rad(latitude - lat_delta).cos());
    let southern = latitude < 0.0;
    let (min_lon, max_lon) = if southern {
        (longitude - long_delta_bottom, longitude + long_delta_bottom)
    } else {
        (longitude - long_delta_top, longitude + long_delta_top)
    };
    [min_lon, latitude - lat_delta, max_lon, latitude + lat_delta]
}

/// The cells to scan, in Redis's order (centre, N, S, E, W, NE, NW, SE, SW); zero cells are
/// the ones Redis excludes.
pub fn cells(s: &Search) -> [Bits; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = bounding_box(s);
    let [longitude, latitude] = s.center;
    let radius_meters = match s.shape {
        Shape::Circle { radius } => radius,
        Shape::Box { width, height } => {
            ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
        }
    } * s.conversion;
    let mut steps = estimate_steps(radius_meters, latitude);
    let cover = |steps: u8| {
        let hash = encode_wgs84(longitude, latitude, steps).unwrap_or_default();
        let n = neighbors(hash);
        let area = decode(WGS84_LONG, WGS84_LAT, hash);
        (hash, n, area)
    };
    let (mut hash, mut n, mut area) = cover(steps);
    let edge = |b: Bits| decode(WGS84_LONG, WGS84_LAT, b);
    let mut decrease = false;
    if let Some(a) = edge(n.north) {
        decrease |= a.latitude.max < max_lat;
    }
    if let Some(a) = edge(n.south) {
        decrease |= a.latitude.min > min_lat;
    }
    if let Some(a) = edge(n.east) {
        decrease |= a.longitude.max < max_lon;
    }
    if let Some(a) = edge(n.west) {
        decrease |= a.longitude.min > min_lon;
    }
    if steps > 1 && decrease {
        steps -= 1;
        (hash, n, area) = cover(steps);
    }
    if steps >= 2 {
        if let Some(a) = area {
            let zero = Bits::default();
            if a.latitude.min < min_lat {
                n.south = zero;
                n.south_west = zero;
                n.south_east = zero;
            }
            if a.latitude.max > max_lat {
                n.north = zero;
                n.north_east = zero;
                n.north_west = zero;
            }
            if a.longitude.min < min_lon {
                n.west = zero;
                n.south_west = zero;
                n.north_west = zero;
            }
            if a.longitude.max > max_lon {
                n.east = zero;
                n.south_east = zero;
                n.north_east = zero;
            }
        }
    }
    [hash, n.north, n.south, n.east, n.west, n.north_east, n.north_west, n.south_east, n.south_west]
}

/// The score range [min, max) a cell covers.
pub fn cell_scores(hash: Bits) -> (u64, u64) {
    let min = hash.align52();
    let max = Bits { bits: hash.bits + 1, step: hash.step }.align52();
    (min, max)
}

fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_IN_METERS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in meters (geohashGetDistance).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_IN_METERS * a.sqrt().asin()
}

/// The distance from the search centre to `xy` in meters, if the point is inside the shape.
pub fn within(s: &Search, xy: [f64; 2]) -> Option<f64> {
    let [x1, y1] = s.center;
    let [x2, y2] = xy;
    match s.shape {
        Shape::Circle { radius } => {
            let d = distance(x1, y1, x2, y2);
            (d <= radius * s.conversion).then_some(d)
        }
        Shape::Box { width, height } => {
            let (w, h) = (width * s.conversion, height * s.conversion);
            if lat_distance(y2, y1) > h / 2.0 {
                return None;
            }
            if distance(x2, y2, x1, y2) > w / 2.0 {
                return None;
            }
            Some(distance(x1, y1, x2, y2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_round_trips() {
        for (a, b) in [(0u32, 0u32), (1, 0), (0, 1), (0x3ff_ffff, 0x155_5555), (12345, 67890)] {
            let d = deinterleave64(interleave64(a, b));
            assert_eq!((d as u32, (d >> 32) as u32), (a, b));
        }
    }

    #[test]
    fn palermo_matches_redis() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" stores 3479099956230698 in Redis.
        assert_eq!(score_of(13.361389, 38.115556), Some(3_479_099_956_230_698));
        let [lon, lat] = decode_score(3_479_099_956_230_698.0).unwrap();
        assert!((lon - 13.361389).abs() < 1e-5 && (lat - 38.115556).abs() < 1e-5);
        assert_eq!(&standard_hash(3_479_099_956_230_698.0).unwrap(), b"sqc8b49rny0");
    }

    #[test]
    fn distance_is_symmetric_and_zero_on_a_point() {
        let d = distance(13.361389, 38.115556, 15.087269, 37.502669);
        assert!((d - 166_274.15).abs() < 1.0, "{d}");
        assert_eq!(distance(1.0, 2.0, 1.0, 2.0), 0.0);
    }
}
