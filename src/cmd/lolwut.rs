//! LOLWUT [VERSION v] [args...]: Redis 7.0's computer art. 7.0 has no art of its own, so
//! without VERSION it prints the version line (lolwutUnstableCommand); VERSION 5 draws Georg
//! Nees's "Schotter" in Braille, VERSION 6 a Plaguemon-like skyline in terminal grays, with
//! Redis's sizes, limits and float arithmetic, dispatched on the version string as 7.0 does.

use super::args::Args;
use super::table::{flags, CommandDef};
use super::Ctx;
use crate::error::CmdResult;
use crate::REDIS_VERSION;

pub const COMMANDS: &[CommandDef] = &[CommandDef {
    name: "lolwut",
    handler: lolwut,
    arity: -1,
    flags: flags::READONLY | flags::FAST,
    group: "server",
    since: "5.0.0",
    summary: "Display some computer art and the Redis version",
    syntax: "[VERSION version]",
    ..CommandDef::DEFAULT
}];

/// C's rand(): 0..=RAND_MAX, from a generator seeded per call (Redis's is seeded per process;
/// either way the art is not reproducible).
struct Rand(u64);

const RAND_MAX: i32 = i32::MAX;

impl Rand {
    fn new() -> Rand {
        let seed = ahash::RandomState::new().hash_one(std::time::Instant::now());
        Rand(seed | 1)
    }
    fn next(&mut self) -> i32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as i32
    }
}

fn lolwut(ctx: &mut Ctx, args: &Args) -> CmdResult {
    let mut argv: Vec<&[u8]> = args.iter().collect();
    let mut version = REDIS_VERSION.to_string();
    if argv.len() >= 3 && args.is(1, "version") {
        // snprintf("%u.0.0", (unsigned int)ver)
        version = format!("{}.0.0", args.i64(2)? as u32);
        argv.drain(1..3);
    }
    let v = version.as_bytes();
    let at = |i: usize| v.get(i).copied().unwrap_or(0);
    let text = if (at(0) == b'5' && at(1) == b'.' && at(2) != b'9')
        || (at(0) == b'4' && at(1) == b'.' && at(2) == b'9')
    {
        lolwut5(&argv)?
    } else if (at(0) == b'6' && at(1) == b'.' && at(2) != b'9')
        || (at(0) == b'5' && at(1) == b'.' && at(2) == b'9')
    {
        lolwut6(&argv)?
    } else {
        format!("Redis ver. {REDIS_VERSION}\n").into_bytes()
    };
    ctx.reply().verbatim(&text);
    Ok(())
}

/// The optional integer arguments after the (VERSION-stripped) command name.
fn long_args<const N: usize>(
    argv: &[&[u8]],
    mut vals: [i64; N],
) -> Result<[i64; N], crate::error::CommandError> {
    for (i, v) in vals.iter_mut().enumerate() {
        if let Some(a) = argv.get(i + 1) {
            *v = crate::util::num::parse_i64(a).ok_or(crate::error::NOT_INTEGER)?;
        }
    }
    Ok(vals)
}

/// A canvas of four colors, two bits a pixel (the largest Schotter Redis allows is 2000 by
/// 399,204 pixels); writes out of bounds have no effect.
struct Canvas {
    width: i32,
    height: i32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: i32, height: i32, bg: u8) -> Canvas {
        let n = width.max(0) as usize * height.max(0) as usize;
        let fill = (bg & 3) * 0b0101_0101;
        Canvas { width, height, pixels: vec![fill; n.div_ceil(4)] }
    }
    fn set(&mut self, x: i32, y: i32, color: u8) {
        if x >= 0 && x < self.width && y >= 0 && y < self.height {
            let i = x as usize + y as usize * self.width as usize;
            let shift = (i % 4) * 2;
            let b = &mut self.pixels[i / 4];
            *b = (*b & !(3 << shift)) | ((color & 3) << shift);
        }
    }
    fn get(&self, x: i32, y: i32) -> u8 {
        if x >= 0 && x < self.width && y >= 0 && y < self.height {
            let i = x as usize + y as usize * self.width as usize;
            (self.pixels[i / 4] >> ((i % 4) * 2)) & 3
        } else {
            0
        }
    }
    /// Bresenham, as lwDrawLine.
    fn line(&mut self, mut x1: i32, mut y1: i32, x2: i32, y2: i32, color: u8) {
        let (dx, dy) = ((x2 - x1).abs(), (y2 - y1).abs());
        let sx = if x1 < x2 { 1 } else { -1 };
        let sy = if y1 < y2 { 1 } else { -1 };
        let mut err = dx - dy;
        loop {
            self.set(x1, y1, color);
            if x1 == x2 && y1 == y2 {
                break;
            }
            let e2 = err * 2;
            if e2 > -dy {
                err -= dy;
                x1 += sx;
            }
            if e2 < dx {
                err += dx;
                y1 += sy;
            }
        }
    }
    /// lwDrawSquare: a square of side `size` centred on x,y, rotated by `angle`.
    // Redis divides by this truncated literal, not by the exact square root of two.
    #[allow(clippy::approx_constant)]
    fn square(&mut self, x: i32, y: i32, size: f32, angle: f32, color: u8) {
        let size = ((size as f64 / 1.4142135623) as f32 as f64).round() as f32;
        let mut k: f32 = (std::f64::consts::PI / 4.0 + angle as f64) as f32;
        let (mut px, mut py) = ([0i32; 4], [0i32; 4]);
        for j in 0..4 {
            px[j] = ((k as f64).sin() * size as f64 + x as f64).round() as i32;
            py[j] = ((k as f64).cos() * size as f64 + y as f64).round() as i32;
            k = (k as f64 + std::f64::consts::PI / 2.0) as f32;
        }
        for j in 0..4 {
            self.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color);
        }
    }
}

fn lolwut5(argv: &[&[u8]]) -> Result<Vec<u8>, crate::error::CommandError> {
    let [cols, per_row, per_col] = long_args(argv, [66, 8, 12])?;
    let cols = cols.clamp(1, 1000) as i32;
    let per_row = per_row.clamp(1, 200) as i32;
    let per_col = per_col.clamp(1, 200) as i32;
    let canvas = schotter(cols, per_row, per_col);
    let mut text = braille(&canvas);
    text.extend_from_slice(b"\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ");
    text.extend_from_slice(REDIS_VERSION.as_bytes());
    text.push(b'\n');
    Ok(text)
}

fn schotter(cols: i32, per_row: i32, per_col: i32) -> Canvas {
    let width = cols * 2;
    let padding = if width > 4 { 2 } else { 0 };
    let side: f32 = (width - padding * 2) as f32 / per_row as f32;
    let height = (side * per_col as f32 + (padding * 2) as f32) as i32;
    let mut canvas = Canvas::new(width, height, 0);
    let mut rng = Rand::new();
    for y in 0..per_col {
        for x in 0..per_row {
            let mut sx = (x as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut sy = (y as f32 * side + side / 2.0 + padding as f32) as i32;
            let mut angle: f32 = 0.0;
            if y > 1 {
                let mut r = [0f32; 3];
                for v in r.iter_mut() {
                    *v = rng.next() as f32 / RAND_MAX as f32 / per_col as f32 * y as f32;
                }
                for v in r.iter_mut() {
                    if rng.next() % 2 != 0 {
                        *v = -*v;
                    }
                }
                angle = r[0];
                sx = (sx as f32 + r[1] * side / 3.0) as i32;
                sy = (sy as f32 + r[2] * side / 3.0) as i32;
            }
            canvas.square(sx, sy, side, angle, 1);
        }
    }
    canvas
}

/// Each 2x4 block of pixels as one Braille character (U+2800 + dot bits).
fn braille(c: &Canvas) -> Vec<u8> {
    let mut text = Vec::new();
    let mut y = 0;
    while y < c.height {
        let mut x = 0;
        while x < c.width {
            let dots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)];
            let mut byte = 0u32;
            for (bit, (dx, dy)) in dots.iter().enumerate() {
                if c.get(x + dx, y + dy) != 0 {
                    byte |= 1 << bit;
                }
            }
            let code = 0x2800 + byte;
            text.push(0xE0 | (code >> 12) as u8);
            text.push(0x80 | ((code >> 6) & 0x3F) as u8);
            text.push(0x80 | (code & 0x3F) as u8);
            x += 2;
        }
        if y != c.height - 1 {
            text.push(b'\n');
        }
        y += 4;
    }
    text
}

fn lolwut6(argv: &[&[u8]]) -> Result<Vec<u8>, crate::error::CommandError> {
    let [cols, rows] = long_args(argv, [80, 20])?;
    let mut canvas = Canvas::new(cols.clamp(1, 1000) as i32, rows.clamp(1, 1000) as i32, 3);
    skyline(&mut canvas, &mut Rand::new());
    let mut text = Vec::new();
    for y in 0..canvas.height {
        for x in 0..canvas.width {
            let ce: &[u8] = match canvas.get(x, y) {
                1 => b"0;90;100m",
                2 => b"0;37;47m",
                3 => b"0;97;107m",
                _ => b"0;30;40m",
            };
            text.extend_from_slice(b"\x1b[");
            text.extend_from_slice(ce);
            text.extend_from_slice(b" \x1b[0m");
        }
        if y != canvas.height - 1 {
            text.push(b'\n');
        }
    }
    text.extend_from_slice(
        b"\nDedicated to the 8 bit game developers of past and present.\n\
          Original 8 bit image from Plaguemon by hikikomori. Redis ver. ",
    );
    text.extend_from_slice(REDIS_VERSION.as_bytes());
    text.push(b'\n');
    Ok(text)
}

struct Skyscraper {
    xoff: i32,
    width: i32,
    height: i32,
    windows: bool,
    color: u8,
}

fn skyscraper(c: &mut Canvas, s: &Skyscraper, rng: &mut Rand) {
    let starty = c.height - 1;
    let endy = starty - s.height + 1;
    let mut y = starty;
    while y >= endy {
        for x in s.xoff..s.xoff + s.width {
            // The roof is four pixels narrower.
            if y == endy && (x <= s.xoff + 1 || x >= s.xoff + s.width - 2) {
                continue;
            }
            let mut color = s.color;
            if s.windows
                && x > s.xoff + 1
                && x < s.xoff + s.width - 2
                && y > endy + 1
                && y < starty - 1
            {
                let relx = x - (s.xoff + 1);
                let rely = y - (endy + 1);
                if (relx / 2) % 2 != 0 && rely % 2 != 0 {
                    loop {
                        color = 1 + (rng.next() % 2) as u8;
                        if color != s.color {
                            break;
                        }
                    }
                    if relx % 2 != 0 {
                        color = c.get(x - 1, y);
                    }
                }
            }
            c.set(x, y, color);
        }
        y -= 1;
    }
}

fn skyline(c: &mut Canvas, rng: &mut Rand) {
    let h = c.height;
    for color in [2u8, 1] {
        let mut offset = -10;
        while offset < c.width {
            offset += rng.next() % 8;
            let width = 10 + rng.next() % 9;
            let height = if color == 2 {
                h / 2 + (rng.next() % h) / 2
            } else {
                h / 2 + (rng.next() % h) / 3
            };
            let s = Skyscraper { xoff: offset, width, height, windows: false, color };
            skyscraper(c, &s, rng);
            offset += if color == 2 { width / 2 } else { width + 1 };
        }
    }
    let mut offset = -10;
    while offset < c.width {
        offset += rng.next() % 8;
        let mut width = 5 + rng.next() % 14;
        if width % 4 != 0 {
            width += width % 3;
        }
        let height = h / 3 + (rng.next() % h) / 2;
        let s = Skyscraper { xoff: offset, width, height, windows: true, color: 0 };
        skyscraper(c, &s, rng);
        offset += width + 5;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schotter_first_rows_are_deterministic() {
        // Two rows of squares: no randomness (Redis rotates only from the third row).
        let c = schotter(1, 1, 1);
        // Redis ends every row but the (height - 1)th with a newline, so this one too.
        assert_eq!(braille(&c), "⠋\n".as_bytes());
        let big = braille(&schotter(10, 2, 2));
        assert_eq!(String::from_utf8(big).unwrap().lines().count(), 5);
    }

    #[test]
    fn skyline_stays_on_canvas() {
        let mut c = Canvas::new(1, 1, 3);
        skyline(&mut c, &mut Rand::new());
        let mut c = Canvas::new(1000, 3, 3);
        skyline(&mut c, &mut Rand::new());
        assert!((0..1000).all(|x| c.get(x, 2) <= 3));
    }
}
