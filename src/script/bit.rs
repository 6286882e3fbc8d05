//! `bit`: LuaBitOp 1.0 as Redis bundles it. Operands are Lua numbers normalised to signed
//! 32-bit integers (rounded to nearest, wrapped modulo 2^32); results are signed 32-bit.

use mlua::{Lua, MultiValue, Table, Value};

use super::cjson::lerr;
use super::sandbox::lua_type_name;

/// luaL_checknumber for argument `i` (1-based) of `name`: numbers and numeric strings.
pub fn check_number(lua: &Lua, args: &MultiValue, i: usize, name: &str) -> mlua::Result<f64> {
    let v = args.get(i - 1).unwrap_or(&Value::Nil);
    if let Some(n) = to_number(v) {
        return Ok(n);
    }
    let got = if args.len() < i { "no value" } else { lua_type_name(v) };
    Err(lerr(lua, format!("bad argument #{i} to '{name}' (number expected, got {got})")))
}

/// Lua 5.1's lua_tonumber: numbers, and strings that read as a number (decimal or 0x hex).
pub fn to_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        Value::String(s) => {
            let b = s.as_bytes();
            let t = std::str::from_utf8(&b).ok()?.trim_matches(|c: char| c.is_ascii_whitespace());
            if t.is_empty() {
                return None;
            }
            let (neg, body) = match t.strip_prefix('-') {
                Some(r) => (true, r),
                None => (false, t.strip_prefix('+').unwrap_or(t)),
            };
            if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                let v = u64::from_str_radix(h, 16).ok()? as f64;
                return Some(if neg { -v } else { v });
            }
            let lower = t.to_ascii_lowercase();
            if lower.contains("inf") || lower.contains("nan") {
                return None;
            }
            t.parse::<f64>().ok()
        }
        _ => None,
    }
}

/// LuaBitOp's barg: add 2^52+2^51 and keep the low 32 bits, i.e. round half to even, wrap.
pub fn tobit(n: f64) -> i32 {
    let b = n + 6_755_399_441_055_744.0;
    b.to_bits() as u32 as i32
}

fn arg(lua: &Lua, args: &MultiValue, i: usize, name: &str) -> mlua::Result<i32> {
    Ok(tobit(check_number(lua, args, i, name)?))
}

pub fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "tobit",
        lua.create_function(|lua, a: MultiValue| Ok(arg(lua, &a, 1, "tobit")? as f64))?,
    )?;
    t.set("bnot", lua.create_function(|lua, a: MultiValue| Ok(!arg(lua, &a, 1, "bnot")? as f64))?)?;
    t.set(
        "bswap",
        lua.create_function(
            |lua, a: MultiValue| Ok(arg(lua, &a, 1, "bswap")?.swap_bytes() as f64),
        )?,
    )?;
    type Fold = fn(i32, i32) -> i32;
    for (name, f) in
        [("band", (|a, b| a & b) as Fold), ("bor", |a, b| a | b), ("bxor", |a, b| a ^ b)]
    {
        t.set(
            name,
            lua.create_function(move |lua, a: MultiValue| {
                let mut acc = arg(lua, &a, 1, name)?;
                for i in 2..=a.len() {
                    acc = f(acc, arg(lua, &a, i, name)?);
                }
                Ok(acc as f64)
            })?,
        )?;
    }
    type Shift = fn(i32, u32) -> i32;
    for (name, f) in [
        ("lshift", (|a: i32, n| ((a as u32) << n) as i32) as Shift),
        ("rshift", |a, n| ((a as u32) >> n) as i32),
        ("arshift", |a, n| a >> n),
        ("rol", |a, n| (a as u32).rotate_left(n) as i32),
        ("ror", |a, n| (a as u32).rotate_right(n) as i32),
    ] {
        t.set(
            name,
            lua.create_function(move |lua, a: MultiValue| {
                let x = arg(lua, &a, 1, name)?;
                let n = (arg(lua, &a, 2, name)? as u32) & 31;
                Ok(f(x, n) as f64)
            })?,
        )?;
    }
    t.set(
        "tohex",
        lua.create_function(|lua, a: MultiValue| {
            let x = arg(lua, &a, 1, "tohex")? as u32;
            let n = if a.len() >= 2 && !matches!(a.get(1), Some(Value::Nil)) {
                arg(lua, &a, 2, "tohex")?
            } else {
                8
            };
            let (upper, n) = if n < 0 { (true, n.unsigned_abs()) } else { (false, n as u32) };
            let n = n.min(8) as usize;
            let s = if upper { format!("{x:08X}") } else { format!("{x:08x}") };
            Ok(s[8 - n..].to_string())
        })?,
    )?;
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luabitop_semantics() {
        let lua = Lua::new();
        lua.globals().set("bit", module(&lua).unwrap()).unwrap();
        let v: Vec<Value> = lua
            .load(
                "return {bit.tobit(0xffffffff), bit.tobit(2^32+5), bit.tohex(255), bit.tohex(-1, -4),
                 bit.band(7,3,1), bit.bnot(0), bit.lshift(1,31), bit.rshift(-1,28), bit.arshift(-256,4),
                 bit.rol(1,33), bit.ror(1,1), bit.bswap(0x12345678), bit.tobit(1.5), bit.tobit(2.5)}",
            )
            .eval::<Vec<Value>>()
            .unwrap();
        let s: Vec<String> = v
            .iter()
            .map(|v| match v {
                Value::String(s) => s.to_str().unwrap().to_string(),
                Value::Integer(i) => i.to_string(),
                Value::Number(n) => n.to_string(),
                o => format!("{o:?}"),
            })
            .collect();
        assert_eq!(
            s,
            [
                "-1",
                "5",
                "000000ff",
                "FFFF",
                "1",
                "-1",
                "-2147483648",
                "15",
                "-16",
                "2",
                "-2147483648",
                "2018915346",
                "2",
                "2"
            ]
        );
    }
}
