//! Reply encoder micro-benchmarks: the shapes the hot commands produce.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ferrodis::resp::reply::Reply;

fn encoder(c: &mut Criterion) {
    let mut buf = Vec::with_capacity(1 << 16);
    c.bench_function("reply/16 x +OK", |b| {
        b.iter(|| {
            buf.clear();
            let mut r = Reply::new(&mut buf, false);
            for _ in 0..16 {
                r.ok();
            }
            black_box(buf.len())
        })
    });
    c.bench_function("reply/16 x bulk 3B", |b| {
        b.iter(|| {
            buf.clear();
            let mut r = Reply::new(&mut buf, false);
            for _ in 0..16 {
                r.bulk(black_box(b"xxx"));
            }
            black_box(buf.len())
        })
    });
    c.bench_function("reply/16 x integer", |b| {
        b.iter(|| {
            buf.clear();
            let mut r = Reply::new(&mut buf, false);
            for i in 0..16i64 {
                r.int(black_box(1_000_000 + i));
            }
            black_box(buf.len())
        })
    });
    let items: Vec<Vec<u8>> = (0..100).map(|i| format!("value:{i:08}").into_bytes()).collect();
    c.bench_function("reply/array of 100 bulks (LRANGE_100 shape)", |b| {
        b.iter(|| {
            buf.clear();
            let mut r = Reply::new(&mut buf, false);
            r.array(items.len());
            for it in &items {
                r.bulk(it);
            }
            black_box(buf.len())
        })
    });
    c.bench_function("reply/error with CRLF sanitizing", |b| {
        b.iter(|| {
            buf.clear();
            let mut r = Reply::new(&mut buf, false);
            r.error(black_box("ERR wrong number of arguments for 'get' command"));
            black_box(buf.len())
        })
    });
}

criterion_group!(benches, encoder);
criterion_main!(benches);
