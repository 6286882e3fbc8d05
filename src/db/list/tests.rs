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
    let rev: Vec<Vec<u8>> = l.iter_rev().map(|e| e.to_vec()).collect();
    let mut w = want.clone();
    w.reverse();
    assert_eq!(rev, w);
    assert_eq!(l.nodes.iter().map(|n| n.count as usize).sum::<usize>(), l.len());
    assert!(l.nodes.iter().all(|n| n.count > 0));
}

fn run(fill: i64, seed: u64) {
    let mut r = Rng(seed);
    let mut l = List::new(fill);
    let mut m: VecDeque<Vec<u8>> = VecDeque::new();
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
                let got: Vec<Vec<u8>> = l.iter_from(start).map(|e| e.to_vec()).collect();
                let want: Vec<Vec<u8>> = m.iter().skip(start).cloned().collect();
                assert_eq!(got, want);
            }
        }
        if step % 97 == 0 {
            check(&l, &m);
        }
    }
    check(&l, &m);
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
    assert!(per < 8.2, "{per} bytes per element");
}
