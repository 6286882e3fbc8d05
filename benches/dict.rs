//! Dict against std's HashMap with the same hasher, on 1M 16-byte keys.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ferrodis::db::dict::Dict;

const N: usize = 1_000_000;

fn keys() -> Vec<Box<[u8]>> {
    (0..N).map(|i| format!("key:{i:012}").into_bytes().into_boxed_slice()).collect()
}

fn bench(c: &mut Criterion) {
    let keys = keys();
    assert_eq!(keys[0].len(), 16);
    let mut g = c.benchmark_group("1M 16-byte keys");
    g.sample_size(10).measurement_time(Duration::from_secs(8));

    g.bench_function("Dict insert", |b| {
        b.iter_batched(
            || keys.clone(),
            |ks| {
                let mut d = Dict::new();
                for (i, k) in ks.into_iter().enumerate() {
                    d.insert(k, i as u64);
                }
                d
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("HashMap insert", |b| {
        b.iter_batched(
            || keys.clone(),
            |ks| {
                let mut m = HashMap::with_hasher(ahash::RandomState::new());
                for (i, k) in ks.into_iter().enumerate() {
                    m.insert(k, i as u64);
                }
                m
            },
            BatchSize::PerIteration,
        )
    });

    let mut d = Dict::new();
    let mut m = HashMap::with_hasher(ahash::RandomState::new());
    for (i, k) in keys.iter().enumerate() {
        d.insert(k.clone(), i as u64);
        m.insert(k.clone(), i as u64);
    }
    while d.rehash_for(Duration::from_secs(1)) {}
    g.bench_function("Dict get", |b| {
        b.iter(|| keys.iter().map(|k| *d.get(k).unwrap()).sum::<u64>())
    });
    g.bench_function("HashMap get", |b| {
        b.iter(|| keys.iter().map(|k| *m.get(&k[..]).unwrap()).sum::<u64>())
    });
    g.bench_function("Dict get miss", |b| {
        b.iter(|| keys.iter().filter(|k| d.contains_key(&k[1..])).count())
    });
    g.bench_function("HashMap get miss", |b| {
        b.iter(|| keys.iter().filter(|k| m.contains_key(&k[1..])).count())
    });
    g.finish();
    black_box(&d);
    eprintln!(
        "Dict structure: {} bytes for {} elements ({} buckets)",
        d.mem_usage(),
        d.len(),
        d.bucket_count()
    );
    eprintln!("HashMap capacity {} (~{} bytes of table)", m.capacity(), {
        let buckets = (m.capacity() * 8 / 7).next_power_of_two();
        buckets * (std::mem::size_of::<(Box<[u8]>, u64)>() + 1)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
