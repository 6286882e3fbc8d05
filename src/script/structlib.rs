//! `struct`: Roberto Ierusalimschy's struct library (the version Redis bundles): pack, unpack
//! and size of binary records. Format: `>` `<` endianness, `!n` alignment, `x` pad byte,
//! `b B h H l L T i[n] I[n]` integers, `f d` floats, `c[n]` fixed strings, `s` zero-terminated.

use mlua::{Lua, MultiValue, Table, Value};

use super::bit::check_number;
use super::cjson::lerr;
use super::sandbox::lua_type_name;

const MAXINTSIZE: usize = 32;
const MAXALIGN: usize = 8;

struct Header {
    little: bool,
    align: usize,
}

fn argerr(lua: &Lua, n: usize, name: &str, msg: &str) -> mlua::Error {
    lerr(lua, format!("bad argument #{n} to '{name}' ({msg})"))
}

/// Digits after an option (`i4`, `c10`, `!8`), or `def` when there are none.
fn getnum(lua: &Lua, fmt: &[u8], i: &mut usize, def: usize) -> mlua::Result<usize> {
    if !fmt.get(*i).is_some_and(|c| c.is_ascii_digit()) {
        return Ok(def);
    }
    let mut a: i64 = 0;
    while let Some(&c) = fmt.get(*i).filter(|c| c.is_ascii_digit()) {
        let d = (c - b'0') as i64;
        if a > (i32::MAX as i64 / 10) || a * 10 > (i32::MAX as i64 - d) {
            return Err(lerr(lua, "integral size overflow"));
        }
        a = a * 10 + d;
        *i += 1;
    }
    Ok(a as usize)
}

fn optsize(lua: &Lua, opt: u8, fmt: &[u8], i: &mut usize) -> mlua::Result<usize> {
    Ok(match opt {
        b'B' | b'b' => 1,
        b'H' | b'h' => 2,
        b'L' | b'l' | b'T' | b'd' => 8,
        b'f' => 4,
        b'x' => 1,
        b'c' => getnum(lua, fmt, i, 1)?,
        b'i' | b'I' => {
            let sz = getnum(lua, fmt, i, 4)?;
            if sz > MAXINTSIZE {
                return Err(lerr(
                    lua,
                    format!("integral size {sz} is larger than limit of {MAXINTSIZE}"),
                ));
            }
            sz
        }
        _ => 0,
    })
}

fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size - (len & (size - 1))) & (size - 1)
}

fn controloptions(
    lua: &Lua,
    opt: u8,
    fmt: &[u8],
    i: &mut usize,
    h: &mut Header,
    name: &str,
) -> mlua::Result<()> {
    match opt {
        b' ' => Ok(()),
        b'>' => {
            h.little = false;
            Ok(())
        }
        b'<' => {
            h.little = true;
            Ok(())
        }
        b'!' => {
            let a = getnum(lua, fmt, i, MAXALIGN)?;
            if a == 0 || !a.is_power_of_two() {
                return Err(lerr(lua, format!("alignment {a} is not a power of 2")));
            }
            h.align = a;
            Ok(())
        }
        c => Err(argerr(lua, 1, name, &format!("invalid format option '{}'", c as char))),
    }
}

fn put_int(out: &mut Vec<u8>, n: f64, little: bool, size: usize) {
    let mut value: u64 = if n < 0.0 { (n as i64) as u64 } else { n as u64 };
    let mut buf = vec![0u8; size];
    if little {
        for b in buf.iter_mut() {
            *b = value as u8;
            value = value.checked_shr(8).unwrap_or(0);
        }
    } else {
        for b in buf.iter_mut().rev() {
            *b = value as u8;
            value = value.checked_shr(8).unwrap_or(0);
        }
    }
    out.extend_from_slice(&buf);
}

fn get_int(b: &[u8], little: bool, signed: bool) -> f64 {
    let mut l: u64 = 0;
    let mut push = |c: u8| l = (l << 8) | c as u64;
    if little {
        b.iter().rev().for_each(|&c| push(c));
    } else {
        b.iter().for_each(|&c| push(c));
    }
    if !signed {
        return l as f64;
    }
    let bits = b.len() * 8;
    if bits > 0 && bits < 64 {
        let mask = u64::MAX << (bits - 1);
        if l & mask != 0 {
            l |= mask;
        }
    }
    l as i64 as f64
}

fn check_string(lua: &Lua, args: &MultiValue, n: usize, name: &str) -> mlua::Result<Vec<u8>> {
    match args.get(n - 1) {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(v @ (Value::Integer(_) | Value::Number(_))) => {
            Ok(lua.coerce_string(v.clone())?.map(|s| s.as_bytes().to_vec()).unwrap_or_default())
        }
        Some(v) => Err(argerr(lua, n, name, &format!("string expected, got {}", lua_type_name(v)))),
        None => Err(argerr(lua, n, name, "string expected, got no value")),
    }
}

fn pack(lua: &Lua, args: MultiValue) -> mlua::Result<mlua::String> {
    let fmt = check_string(lua, &args, 1, "pack")?;
    let mut h = Header { little: true, align: 1 };
    let mut out = Vec::new();
    let mut arg = 2;
    let mut i = 0;
    // A missing argument reads as nil here (lua-struct has pushed a marker on the stack).
    let number = |lua: &Lua, arg: usize| -> mlua::Result<f64> {
        if arg > args.len() {
            return Err(argerr(lua, arg, "pack", "number expected, got nil"));
        }
        check_number(lua, &args, arg, "pack")
    };
    while i < fmt.len() {
        let opt = fmt[i];
        i += 1;
        let mut size = optsize(lua, opt, &fmt, &mut i)?;
        let toalign = gettoalign(out.len(), &h, opt, size);
        out.resize(out.len() + toalign, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = number(lua, arg)?;
                arg += 1;
                put_int(&mut out, n, h.little, size);
            }
            b'x' => out.push(0),
            b'f' => {
                let f = number(lua, arg)? as f32;
                arg += 1;
                out.extend_from_slice(&if h.little { f.to_le_bytes() } else { f.to_be_bytes() });
            }
            b'd' => {
                let d = number(lua, arg)?;
                arg += 1;
                out.extend_from_slice(&if h.little { d.to_le_bytes() } else { d.to_be_bytes() });
            }
            b'c' | b's' => {
                let s = if arg > args.len() {
                    return Err(argerr(lua, arg, "pack", "string expected, got nil"));
                } else {
                    check_string(lua, &args, arg, "pack")?
                };
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    return Err(argerr(lua, arg, "pack", "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                }
            }
            _ => controloptions(lua, opt, &fmt, &mut i, &mut h, "pack")?,
        }
    }
    lua.create_string(&out)
}

fn unpack(lua: &Lua, args: MultiValue) -> mlua::Result<MultiValue> {
    let fmt = check_string(lua, &args, 1, "unpack")?;
    let data = check_string(lua, &args, 2, "unpack")?;
    let start = match args.get(2) {
        None | Some(Value::Nil) => 1.0,
        Some(_) => check_number(lua, &args, 3, "unpack")?,
    };
    let mut pos = (start as i64 - 1).max(0) as usize;
    let mut h = Header { little: true, align: 1 };
    let mut out: Vec<Value> = Vec::new();
    let mut i = 0;
    while i < fmt.len() {
        let opt = fmt[i];
        i += 1;
        let mut size = optsize(lua, opt, &fmt, &mut i)?;
        pos += gettoalign(pos, &h, opt, size);
        if pos.checked_add(size).is_none_or(|e| e > data.len()) {
            return Err(argerr(lua, 2, "unpack", "data string too short"));
        }
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let signed = opt.is_ascii_lowercase();
                out.push(Value::Number(get_int(&data[pos..pos + size], h.little, signed)));
            }
            b'x' => {}
            b'f' => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[pos..pos + 4]);
                let f = if h.little { f32::from_le_bytes(b) } else { f32::from_be_bytes(b) };
                out.push(Value::Number(f as f64));
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[pos..pos + 8]);
                let d = if h.little { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) };
                out.push(Value::Number(d));
            }
            b'c' => {
                if size == 0 {
                    let prev = match out.last() {
                        Some(Value::Number(n)) => Some(*n),
                        Some(Value::Integer(n)) => Some(*n as f64),
                        _ => None,
                    };
                    let Some(n) = prev else {
                        return Err(lerr(lua, "format 'c0' needs a previous size"));
                    };
                    out.pop();
                    size = if n < 0.0 { usize::MAX } else { n as usize };
                    if size > data.len() || pos > data.len() - size {
                        return Err(argerr(lua, 2, "unpack", "data string too short"));
                    }
                }
                out.push(Value::String(lua.create_string(&data[pos..pos + size])?));
            }
            b's' => {
                let Some(e) = memchr::memchr(0, &data[pos..]) else {
                    return Err(lerr(lua, "unfinished string in data"));
                };
                out.push(Value::String(lua.create_string(&data[pos..pos + e])?));
                size = e + 1;
            }
            _ => controloptions(lua, opt, &fmt, &mut i, &mut h, "unpack")?,
        }
        pos += size;
    }
    out.push(Value::Number((pos + 1) as f64));
    Ok(MultiValue::from_iter(out))
}

fn size(lua: &Lua, args: MultiValue) -> mlua::Result<f64> {
    let fmt = check_string(lua, &args, 1, "size")?;
    let mut h = Header { little: true, align: 1 };
    let mut pos = 0usize;
    let mut i = 0;
    while i < fmt.len() {
        let opt = fmt[i];
        i += 1;
        let size = optsize(lua, opt, &fmt, &mut i)?;
        pos += gettoalign(pos, &h, opt, size);
        if opt == b's' {
            return Err(argerr(lua, 1, "size", "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(argerr(lua, 1, "size", "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            controloptions(lua, opt, &fmt, &mut i, &mut h, "size")?;
        }
        pos += size;
    }
    Ok(pos as f64)
}

pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set("pack", lua.create_function(pack)?)?;
    t.set("unpack", lua.create_function(unpack)?)?;
    t.set("size", lua.create_function(size)?)?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_unpack_size() {
        let lua = Lua::new();
        lua.globals().set("struct", module(&lua).unwrap()).unwrap();
        let s: String = lua
            .load(
                "local a = struct.pack('>i2', 258)
                 local x, nxt = struct.unpack('<i2', '\\1\\2')
                 local c, n2 = struct.unpack('bc0', '\\3abcd')
                 return a:byte(1)..','..a:byte(2)..' '..struct.size('!8bd')..' '..x..' '..nxt..' '..c..' '..n2",
            )
            .eval()
            .unwrap();
        assert_eq!(s, "1,2 16 513 3 abc 5");
        let e = lua.load("return struct.pack('z', 1)").exec().unwrap_err().to_string();
        assert!(e.contains("bad argument #1 to 'pack' (invalid format option 'z')"), "{e}");
    }
}
