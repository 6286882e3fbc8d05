//! Request parser throughput: the redis-benchmark shape (pipelined small SETs) and a large
//! value arriving in socket-sized pieces.
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ferrodis::resp::parse::{ParseLimits, RequestParser, Status};

const SET: &[u8] = b"*3\r\n$3\r\nSET\r\n$16\r\nkey:000000001234\r\n$3\r\nxxx\r\n";

fn pipelined_sets(c: &mut Criterion) {
    let buf = SET.repeat(16);
    let limits = ParseLimits::default();
    let mut p = RequestParser::new();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(16));
    g.bench_function("pipelined_16_set", |b| {
        b.iter(|| {
            let buf = black_box(&buf[..]);
            let mut bytes = 0;
            while let Ok(Status::Complete) = p.parse(buf, &limits) {
                let args = p.args(buf);
                bytes += args.get(1).len();
            }
            // The whole batch was used: drop it and present the same bytes again.
            let n = p.consumed();
            p.shift(n);
            bytes
        })
    });
    g.finish();
}

fn big_bulk_in_chunks(c: &mut Criterion) {
    const LEN: usize = 1 << 20;
    let mut input = format!("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n${LEN}\r\n").into_bytes();
    input.extend((0..LEN).map(|i| i as u8));
    input.extend_from_slice(b"\r\n");
    let limits = ParseLimits::default();
    let mut p = RequestParser::new();
    let mut buf: Vec<u8> = Vec::with_capacity(input.len());
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("bulk_1mib_4kib_chunks", |b| {
        b.iter(|| {
            buf.clear();
            let mut done = 0;
            for chunk in black_box(&input[..]).chunks(4096) {
                buf.extend_from_slice(chunk);
                while let Ok(Status::Complete) = p.parse(&buf, &limits) {
                    done += p.args(&buf).get(2).len();
                }
            }
            let n = p.consumed();
            p.shift(n);
            assert_eq!(done, LEN);
            done
        })
    });
    g.finish();
}

criterion_group!(benches, pipelined_sets, big_bulk_in_chunks);
criterion_main!(benches);
