//! The list checked against a plain `VecDeque<Vec<u8>>` under random operations, for every
//! kind of fill.

use super::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn value(r: &mut Rng) -> Vec<u8> {
    match r.below(6) {
        0 => r.below(200).to_string().into_bytes(),
        1 => (r.next() as i64).to_string().into_bytes(),
        2 => (-(r.below(100_000) as i64)).to_string().into_bytes(),
        3 => vec![b'a' + r.below(3) as u8; r.below(5) as usize],
        4 => vec![b'z'; r.below(300) as usize],
        _ => format!("0{}", r.below(10)).into_bytes(),
    }
}

fn contents(l: &List) -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    l.for_each(|e| v.push(e.to_vec()));
    v
}

fn check(l: &List, m: &VecDeque<Vec<u8>>) {
    assert_eq!(l.len(), m.len());
    let want: Vec<Vec<u8>> = m.iter().cloned().collect();
    assert_eq!(contents(l), want);
    let mut rev: Vec<Vec<u8>> = Vec::new();
    l.visit_rev(|e| {
        rev.push(e.to_vec());
        true
    });
    let mut w = want.clone();
    w.reverse();
    assert_eq!(rev, w);
    assert_eq!(l.nodes.iter().map(|n| n.count as usize).sum::<usize>(), l.len());
    assert!(l.nodes.iter().all(|n| n.count > 0));
    // Edge nodes are plain; without a depth nothing is compressed.
    let d = l.depth as usize;
    for (i, n) in l.nodes.iter().enumerate() {
        if d == 0 || i < d || i + d >= l.nodes.len() {
            assert!(!n.is_compressed(), "node {i} of {} compressed at depth {d}", l.nodes.len());
        }
    }
}

/// Elements at or over the threshold sit alone in plain nodes; packed nodes hold only
/// smaller ones, and `nodes()` reports the same.
fn check_plain(l: &List, t: usize) {
    let mut walked = Vec::new();
    for n in l.nodes() {
        if n.is_plain() {
            assert_eq!(n.count(), 1);
            let b = n.plain_bytes().unwrap();
            assert!(b.len() >= t, "plain node of {} bytes under threshold {t}", b.len());
            walked.push(b.to_vec());
        } else {
            assert!(n.plain_bytes().is_none());
            n.for_each(|e| {
                let v = e.to_vec();
                assert!(v.len() < t, "packed element of {} bytes at threshold {t}", v.len());
                walked.push(v);
            });
        }
    }
    assert_eq!(walked, contents(l));
}

fn run(fill: i64, seed: u64) {
    run_with(fill, 0, seed);
}

fn run_with(fill: i64, depth: u32, seed: u64) {
    run_full(fill, depth, None, seed);
}

/// Random operations against the oracle; with `threshold`, elements of at least that many
/// bytes go to plain nodes, and the layout rules for them are checked too.
fn run_full(fill: i64, depth: u32, threshold: Option<u32>, seed: u64) {
    let mut r = Rng(seed);
    let mut l = List::with_options(fill, depth);
    if let Some(t) = threshold {
        l.set_packed_threshold(t);
    }
    let mut m: VecDeque<Vec<u8>> = VecDeque::new();
    let mut saw_compressed = false;
    for step in 0..4000 {
        let v = value(&mut r);
        match r.below(12) {
            0..=2 => {
                l.push_back(&v);
                m.push_back(v);
            }
            3..=4 => {
                l.push_front(&v);
                m.push_front(v);
            }
            5 => assert_eq!(l.pop_front(), m.pop_front()),
            6 => assert_eq!(l.pop_back(), m.pop_back()),
            7 => {
                let idx = r.below(m.len() as u64 * 2 + 1) as i64 - m.len() as i64;
                let want = l.resolve(idx).map(|i| m[i].clone());
                assert_eq!(l.get_with(idx, |e| e.to_vec()), want);
                if l.set(idx, &v) {
                    let i = l.resolve(idx).unwrap();
                    m[i] = v;
                }
            }
            8 => {
                if let Some(piv) = m.get(r.below(m.len() as u64 + 1) as usize).cloned() {
                    let after = r.below(2) == 0;
                    assert!(l.insert_by_pivot(&piv, &v, after));
                    let pos = m.iter().position(|x| *x == piv).unwrap();
                    m.insert(if after { pos + 1 } else { pos }, v);
                }
            }
            9 => {
                let count = r.below(5) as i64 - 2;
                let n = l.remove_matching(&v, count);
                let mut removed = 0;
                let limit = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
                if count >= 0 {
                    let mut i = 0;
                    while i < m.len() && removed < limit {
                        if m[i] == v {
                            m.remove(i);
                            removed += 1;
                        } else {
                            i += 1;
                        }
                    }
                } else {
                    let mut i = m.len();
                    while i > 0 && removed < limit {
                        i -= 1;
                        if m[i] == v {
                            m.remove(i);
                            removed += 1;
                        }
                    }
                }
                assert_eq!(n, removed);
            }
            10 if step % 50 == 0 => {
                let a = r.below(m.len() as u64 + 1) as usize;
                let b = a + r.below((m.len() - a) as u64 + 1) as usize;
                l.retain_range(a, b);
                let kept: VecDeque<Vec<u8>> =
                    m.iter().skip(a).take(b.saturating_sub(a)).cloned().collect();
                m = kept;
            }
            _ => {
                let start = r.below(m.len() as u64 + 1) as usize;
                let mut got: Vec<Vec<u8>> = Vec::new();
                l.visit_from(start, |e| {
                    got.push(e.to_vec());
                    true
                });
                let want: Vec<Vec<u8>> = m.iter().skip(start).cloned().collect();
                assert_eq!(got, want);
            }
        }
        if step % 97 == 0 {
            check(&l, &m);
            if let Some(t) = threshold {
                check_plain(&l, t as usize);
            }
        }
        saw_compressed |= l.compressed_nodes() > 0;
    }
    check(&l, &m);
    if let Some(t) = threshold {
        check_plain(&l, t as usize);
        assert!(l.plain_nodes() > 0 || m.iter().all(|v| v.len() < t as usize));
    }
    assert_eq!(saw_compressed, depth > 0, "compression exercised iff a depth is set");
    let d = l.duplicate();
    check(&d, &m);
}

#[test]
fn model_default_fill() {
    run(-2, 0x1234_5678);
}

#[test]
fn model_small_count_fill() {
    run(3, 0xdead_beef);
    run(1, 0x0bad_cafe);
    run(0, 0x1357_9bdf);
}

#[test]
fn model_size_fills() {
    run(-1, 0x2468_ace0);
    run(-5, 0x1111_2222);
    run(-100, 0x3333_4444);
}

#[test]
fn nodes_split_by_count_and_size() {
    let mut l = List::new(4);
    for i in 0..10 {
        l.push_back(i.to_string().as_bytes());
    }
    assert_eq!(l.node_count(), 3);
    let mut l = List::new(-2);
    for _ in 0..100 {
        l.push_back(&[b'x'; 100]);
    }
    // 8 KiB nodes of 102-byte entries.
    assert!(l.node_count() >= 2 && l.node_count() <= 3, "{}", l.node_count());
}

#[test]
fn small_elements_cost_about_what_redis_pays() {
    let mut l = List::new(-2);
    for i in 0..10_000 {
        l.push_back(format!("v{i:04}").as_bytes());
    }
    // 5-byte strings: 7 bytes each in a listpack.
    let per = l.heap_size() as f64 / 10_000.0;
    assert!(per < 7.3, "{per} bytes per element");
}

/// Redis 7.0.15 reports MEMORY USAGE 14101512 for 1M `value:NNNNNN` elements and 5005152
/// for the integers 0..1M (default fill).
#[test]
fn memory_is_within_redis() {
    let mut a = List::new(-2);
    let mut b = List::new(-2);
    for i in 0..1_000_000 {
        a.push_back(format!("value:{i:06}").as_bytes());
        b.push_back(i.to_string().as_bytes());
    }
    assert!(a.heap_size() <= 14_101_512, "{}", a.heap_size());
    assert!(b.heap_size() <= 5_005_152, "{}", b.heap_size());
}

#[test]
fn model_with_compression() {
    run_with(-2, 1, 0x5555_aaaa);
    run_with(4, 1, 0x7777_1111);
    run_with(2, 2, 0x0f0f_f0f0);
    run_with(1, 3, 0x1234_4321);
}

#[test]
fn interior_nodes_are_compressed() {
    let mut l = List::with_options(-2, 1);
    let mut plain = List::new(-2);
    for i in 0..50_000 {
        let v = format!("value:{:06}", i % 1000);
        l.push_back(v.as_bytes());
        plain.push_back(v.as_bytes());
    }
    assert!(l.node_count() > 3);
    assert_eq!(l.compressed_nodes(), l.node_count() - 2);
    assert!(l.heap_size() * 2 < plain.heap_size(), "{} vs {}", l.heap_size(), plain.heap_size());
    assert_eq!(l.get_with(25_000, |e| e.to_vec()), Some(b"value:000000".to_vec()));
    assert!(l.set(25_001, b"changed"));
    assert_eq!(l.get_with(25_001, |e| e.to_vec()), Some(b"changed".to_vec()));
    assert_eq!(l.compressed_nodes(), l.node_count() - 2);
    let mut a = Vec::new();
    let mut b = Vec::new();
    l.for_each(|e| a.push(e.to_vec()));
    plain.set(25_001, b"changed");
    plain.for_each(|e| b.push(e.to_vec()));
    assert_eq!(a, b);
    // Popping until two nodes remain leaves nothing compressed.
    while l.node_count() > 2 {
        l.pop_front();
    }
    assert_eq!(l.compressed_nodes(), 0);
}

#[test]
fn from_elems_keeps_order_and_settings() {
    let mut cfg = crate::config::Config::default();
    cfg.list_max_listpack_size = 2;
    cfg.list_compress_depth = 1;
    let v: Vec<Vec<u8>> =
        (0..50).map(|i| format!("element {i} {}", "x".repeat(40)).into_bytes()).collect();
    let l = List::from_elems(&cfg, DEFAULT_PACKED_THRESHOLD, v.iter().map(|x| x.as_slice()));
    assert_eq!(contents(&l), v);
    assert_eq!(l.node_count(), 25);
    assert!(l.compressed_nodes() > 0);
}

#[test]
fn model_plain_nodes() {
    // Thresholds under, inside and over the generated sizes (0..300 bytes, integers).
    for (i, t) in [1u32, 2, 4, 20, 100, 250].into_iter().enumerate() {
        let seed = 0x9e37_79b9 + i as u64 * 7919;
        run_full(-2, 0, Some(t), seed);
        run_full(3, 0, Some(t), seed ^ 0xffff);
        run_full(1, 0, Some(t), seed ^ 0xabcd);
        run_full(-1, 1, Some(t), seed ^ 0x1234);
        run_full(2, 2, Some(t), seed ^ 0x4321);
    }
}

fn plain_flags(l: &List) -> Vec<(bool, usize)> {
    l.nodes().map(|n| (n.is_plain(), n.count())).collect()
}

fn list_of(fill: i64, t: u32, elems: &[&[u8]]) -> List {
    let mut l = List::new(fill);
    l.set_packed_threshold(t);
    for e in elems {
        l.push_back(e);
    }
    l
}

#[test]
fn large_pushes_get_their_own_nodes() {
    let mut l = list_of(-2, 10, &[b"a", b"b"]);
    l.push_back(&[b'x'; 10]);
    l.push_back(b"c");
    l.push_front(&[b'y'; 11]);
    l.push_front(b"d");
    // A small push never joins a plain node: it opens a packed one.
    assert_eq!(plain_flags(&l), [(false, 1), (true, 1), (false, 2), (true, 1), (false, 1)]);
    assert_eq!(l.pop_front(), Some(b"d".to_vec()));
    assert_eq!(l.pop_front(), Some(vec![b'y'; 11]));
    assert_eq!(plain_flags(&l), [(false, 2), (true, 1), (false, 1)]);
}

#[test]
fn large_insert_inside_a_packed_node_splits_it() {
    // Redis: the plain node goes between the two halves, split at the insertion point.
    let mut l = list_of(-2, 5, &[b"aa", b"bb", b"cc", b"dd"]);
    assert!(l.insert_by_pivot(b"bb", b"xxxxxx", true));
    assert_eq!(plain_flags(&l), [(false, 2), (true, 1), (false, 2)]);
    // At a node's edge no split happens.
    let mut l = list_of(-2, 5, &[b"aa", b"bb"]);
    assert!(l.insert_by_pivot(b"aa", b"xxxxxx", false));
    assert!(l.insert_by_pivot(b"bb", b"yyyyyy", true));
    assert_eq!(plain_flags(&l), [(true, 1), (false, 2), (true, 1)]);
    // A small element next to a plain node goes to the neighbour on that side.
    assert!(l.insert_by_pivot(b"xxxxxx", b"s", true));
    assert_eq!(plain_flags(&l), [(true, 1), (false, 3), (true, 1)]);
    assert!(l.insert_by_pivot(b"yyyyyy", b"t", true));
    assert_eq!(plain_flags(&l), [(true, 1), (false, 3), (true, 1), (false, 1)]);
    let mut want: Vec<Vec<u8>> = Vec::new();
    for v in [&b"xxxxxx"[..], b"s", b"aa", b"bb", b"yyyyyy", b"t"] {
        want.push(v.to_vec());
    }
    assert_eq!(contents(&l), want);
}

#[test]
fn lset_between_plain_and_packed() {
    // Redis's "Test LSET with packed is split in the middle".
    let mut l = list_of(-2, 5, &[b"aa", b"bb", b"cc", b"dd", b"ee"]);
    assert!(l.set(2, &[b'e'; 10]));
    assert_eq!(plain_flags(&l), [(false, 2), (true, 1), (false, 2)]);
    // Plain to packed: the element joins the next packed node's head.
    assert!(l.set(2, b"cc"));
    assert_eq!(plain_flags(&l), [(false, 2), (false, 3)]);
    // Plain to plain replaces in place.
    assert!(l.set(0, &[b'p'; 7]));
    assert!(l.set(0, &[b'q'; 8]));
    assert_eq!(plain_flags(&l), [(true, 1), (false, 1), (false, 3)]);
    assert_eq!(l.get_with(0, |e| e.to_vec()), Some(vec![b'q'; 8]));
    // The "Crash due to split quicklist node wrongly" sequence.
    let mut l = List::new(-2);
    l.set_packed_threshold(10);
    l.push_front(b"aa");
    l.push_front(b"bb");
    assert!(l.set(-2, &[b'x'; 10]));
    assert_eq!(l.pop_back(), Some(b"aa".to_vec()));
    assert_eq!(contents(&l), [vec![b'x'; 10]]);
}

#[test]
fn plain_nodes_compress_in_the_interior() {
    let mut l = List::with_options(1, 1);
    l.set_packed_threshold(1);
    for c in b"abcd" {
        l.push_front(&[*c; 500]);
    }
    assert_eq!(l.plain_nodes(), 4);
    assert_eq!(l.compressed_nodes(), 2);
    for c in b"efgj" {
        assert!(l.insert_by_pivot(&[b'd'; 500], &[*c; 500], true));
    }
    let want: Vec<Vec<u8>> = b"djgfecba".iter().map(|c| vec![*c; 500]).collect();
    assert_eq!(contents(&l), want);
    assert_eq!(l.compressed_nodes(), 6);
    for w in want {
        assert_eq!(l.pop_front(), Some(w));
    }
}

#[test]
fn plain_integers_match_like_packed_ones() {
    // "9" in a plain node still equals the probe "9" (LREM, LPOS, LINSERT).
    let mut l = list_of(-2, 1, &[b"9", b"one", b"9"]);
    assert_eq!(l.plain_nodes(), 3);
    assert!(l.insert_by_pivot(b"9", b"8", false));
    assert_eq!(l.remove_matching(b"9", -1), 1);
    assert_eq!(contents(&l), [b"8".to_vec(), b"9".to_vec(), b"one".to_vec()]);
    assert_eq!(l.get_with(1, |e| e == Elem::Int(9)), Some(true));
}

#[test]
fn debug_fields_count_redis_sizes() {
    let mut l = list_of(-2, 1 << 30, &[b"a", b"b", b"c"]);
    assert_eq!(
        l.debug_fields(),
        " ql_nodes:1 ql_avg_node:3.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:16"
    );
    l.set_packed_threshold(1);
    l.push_back(&[b'x'; 100]);
    assert!(l.debug_fields().ends_with("ql_uncompressed_size:116"), "{}", l.debug_fields());
}

/// A packed node exported as a listpack is Redis's: the bytes below are the listpack in
/// Redis 7.0.15's `DUMP` of `RPUSH k 7 -100 abc 123456 -1 4096 32768 8388608 2147483648 -0
/// 01 <70 x>` (rdbcompression off).
#[test]
fn packed_nodes_export_redis_listpacks() {
    let x70 = vec![b'x'; 70];
    let elems: Vec<&[u8]> = vec![
        b"7",
        b"-100",
        b"abc",
        b"123456",
        b"-1",
        b"4096",
        b"32768",
        b"8388608",
        b"2147483648",
        b"-0",
        b"01",
        &x70,
    ];
    let l = list_of(-2, 1 << 30, &elems);
    let mut want: Vec<u8> = b"\x83\x00\x00\x00\x0c\x00\x07\x01\xdf\x9c\x02\x83abc\x04\xf2\x40\xe2\x01\x04\
        \xdf\xff\x02\xf1\x00\x10\x03\xf2\x00\x80\x00\x04\xf3\x00\x00\x80\x00\x05\xf4\x00\x00\x00\x80\
        \x00\x00\x00\x00\x09\x82-0\x03\x8201\x03\xe0\x46"
        .to_vec();
    want.extend_from_slice(&x70);
    want.extend_from_slice(b"\x48\xff");
    let nodes: Vec<NodeRef> = l.nodes().collect();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].listpack().unwrap(), want);
    assert_eq!(nodes[0].size(), want.len());
    // A plain node has no listpack; its bytes are the element.
    let mut p = List::new(-2);
    p.set_packed_threshold(3);
    p.push_back(b"1234");
    let n = p.nodes().next().unwrap();
    assert!(n.listpack().is_none());
    assert_eq!(n.plain_bytes().unwrap().as_ref(), b"1234");
}

/// What `nodes()` exports, `append_listpack` / `push_plain_node` load back node for node
/// (the RDB round trip); malformed listpacks are refused, never trusted.
#[test]
fn listpacks_round_trip_and_bad_ones_are_refused() {
    let mut r = Rng(0x0123_4567);
    for t in [1u32, 20, 100, 1 << 30] {
        let mut l = List::with_options(3, 1);
        l.set_packed_threshold(t);
        for _ in 0..300 {
            let v = value(&mut r);
            l.push_back(&v);
        }
        let mut back = List::with_options(3, 1);
        for n in l.nodes() {
            match n.listpack() {
                Some(lp) => back.append_listpack(&lp).unwrap(),
                None => back.push_plain_node(&n.plain_bytes().unwrap()),
            }
        }
        assert_eq!(contents(&back), contents(&l));
        assert_eq!(back.debug_fields(), l.debug_fields());
        assert_eq!(back.compressed_nodes(), l.compressed_nodes());
    }
    let lp = list_of(-2, 1 << 30, &[b"a", b"12", b"hello"]).nodes().next().unwrap().listpack();
    let lp = lp.unwrap();
    let mut l = List::new(-2);
    for cut in 0..lp.len() {
        assert_eq!(l.append_listpack(&lp[..cut]), Err(BadListpack), "cut {cut}");
    }
    for i in 0..lp.len() {
        for b in [0x00, 0x7F, 0x80, 0xC0, 0xE0, 0xF0, 0xF4, 0xFF] {
            let mut bad = lp.clone();
            bad[i] = b;
            // Either refused or loaded into a list that reads back without panicking.
            let mut l = List::new(-2);
            if l.append_listpack(&bad).is_ok() {
                let _ = contents(&l);
                l.visit_rev(|_| true);
            }
        }
    }
    assert!(l.is_empty());
    // An empty listpack is skipped; a string "12" is stored as the integer Redis would store.
    l.append_listpack(&[7, 0, 0, 0, 0, 0, 0xFF]).unwrap();
    assert_eq!(l.node_count(), 0);
    l.append_listpack(&[11, 0, 0, 0, 1, 0, 0x82, b'1', b'2', 0x03, 0xFF]).unwrap();
    assert_eq!(l.remove_matching(b"12", 0), 1);
    l.append_packed([&b"x"[..], b"y"]);
    assert_eq!(contents(&l), [b"x".to_vec(), b"y".to_vec()]);
}
