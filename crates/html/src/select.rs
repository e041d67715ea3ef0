//! Container scoring and block selection (readability-style, on precomputed blocks).

use crate::body::{Analysis, Kind, RawBlock};
use crate::dom::{Dom, NONE};

/// Minimum length for a block to count as a paragraph when scoring containers.
const MIN_PARA: usize = 25;

fn class_weight(dom: &Dom, id: u32, positive: bool) -> f64 {
    let Some(e) = dom.elem(id) else { return 0.0 };
    let mut w = 0.0;
    if positive {
        w += 25.0;
    }
    if matches!(&*e.local, "article" | "main") {
        w += 10.0;
    }
    w
}

fn tag_base(tag: &str) -> f64 {
    match tag {
        "div" | "article" | "section" | "main" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    }
}

fn para_score(b: &RawBlock) -> f64 {
    let commas = b.text.chars().filter(|&c| matches!(c, ',' | '，' | '、' | '،')).count();
    1.0 + commas as f64 + (b.len as f64 / 100.0).min(3.0)
}

pub(crate) fn is_good_para(b: &RawBlock) -> bool {
    b.len >= MIN_PARA && (b.link_len as f64) < 0.5 * b.len as f64 && b.kind != Kind::Heading
}

/// Picks the article's blocks. Returns indices into `a.blocks`, in document order.
pub(crate) fn select(a: &Analysis<'_>, hint: Option<u32>) -> Vec<usize> {
    let dom = a.dom;
    let n = dom.nodes.len();
    // Per-node text and link totals from the blocks (cheap: one pass over blocks, then
    // bottom-up over owners' ancestors would be quadratic, so accumulate on owners and
    // propagate in reverse pre-order).
    let mut tlen = vec![0f64; n];
    let mut llen = vec![0f64; n];
    for b in &a.blocks {
        tlen[b.owner as usize] += b.len as f64;
        llen[b.owner as usize] += b.link_len as f64;
    }
    let mut by_pre: Vec<u32> = (0..n as u32).filter(|&i| a.pre[i as usize] != NONE).collect();
    by_pre.sort_unstable_by_key(|&i| a.pre[i as usize]);
    for &id in by_pre.iter().rev() {
        let p = dom.nodes[id as usize].parent;
        if p != NONE {
            tlen[p as usize] += tlen[id as usize];
            llen[p as usize] += llen[id as usize];
        }
    }

    // Elements that are a paragraph in all but name (`<div>` with only inline content).
    let mut para_like = vec![false; n];
    for b in &a.blocks {
        if !b.run && matches!(b.kind, Kind::Para | Kind::Other) {
            para_like[b.owner as usize] = true;
        }
    }
    let mut score = vec![f64::NAN; n];
    let init = |score: &mut Vec<f64>, id: u32| {
        if score[id as usize].is_nan() {
            score[id as usize] = tag_base(dom.tag(id)) + class_weight(dom, id, a.positive[id as usize]);
        }
    };
    for b in a.blocks.iter().filter(|b| is_good_para(b)) {
        // Article prose lives in paragraphs; list items are more often teasers and menus.
        let s = if b.kind == Kind::ListItem { para_score(b) * 0.5 } else { para_score(b) };
        let mut anc = if b.run { b.owner } else { dom.nodes[b.owner as usize].parent };
        let mut level = 0;
        while anc != NONE && anc != 0 && level < 5 {
            init(&mut score, anc);
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f64 * 3.0,
            };
            score[anc as usize] += s / div;
            anc = dom.nodes[anc as usize].parent;
            level += 1;
        }
    }
    let ld = |id: u32| if tlen[id as usize] > 0.0 { llen[id as usize] / tlen[id as usize] } else { 0.0 };
    let mut cands: Vec<(f64, u32)> = (0..n as u32)
        .filter(|&i| !score[i as usize].is_nan())
        .map(|i| (score[i as usize] * (1.0 - ld(i)), i))
        .collect();
    cands.sort_by(|x, y| y.0.total_cmp(&x.0));

    let top = match hint {
        Some(h) => h,
        None => match cands.first() {
            Some(&(_, t)) => t,
            None => return fallback(a),
        },
    };
    let final_score = |id: u32| {
        let s = score[id as usize];
        if s.is_nan() {
            0.0
        } else {
            s * (1.0 - ld(id))
        }
    };
    let mut top = top;
    let top_score = final_score(top);

    if hint.is_none() {
        // Strong candidates close to each other: the article is split into chunks
        // (ads or figures between them). Candidates nested in or around the top one are
        // just its own score echoing up or down, so they do not count.
        let first = top;
        let strong: Vec<u32> = cands
            .iter()
            .skip(1)
            .take(6)
            .filter(|c| c.0 >= 0.75 * top_score && !a.contains(first, c.1) && !a.contains(c.1, first))
            .map(|c| c.1)
            .collect();
        if !strong.is_empty() {
            let mut anc = dom.nodes[top as usize].parent;
            let mut level = 0;
            while anc != NONE && anc != 0 && !matches!(dom.tag(anc), "body" | "html") && level < 3 {
                if strong.iter().any(|&s| a.contains(anc, s)) {
                    top = anc;
                    break;
                }
                anc = dom.nodes[anc as usize].parent;
                level += 1;
            }
        }
        // An only child adds nothing: use the parent, whose siblings we then consider.
        loop {
            let p = dom.nodes[top as usize].parent;
            if p == NONE || p == 0 || matches!(dom.tag(p), "body" | "html") {
                break;
            }
            if dom.children(p).filter(|&c| dom.elem(c).is_some()).count() == 1 {
                top = p;
            } else {
                break;
            }
        }
    }

    // Candidate plus continuation siblings.
    let top_score = final_score(top).max(top_score);
    let threshold = (top_score * 0.2).max(10.0);
    let mut roots: Vec<u32> = vec![top];
    let parent = dom.nodes[top as usize].parent;
    if parent != NONE && parent != 0 {
        let top_class = dom.elem(top).and_then(|e| e.attr("class")).unwrap_or("");
        for s in dom.children(parent) {
            if s == top || dom.elem(s).is_none() {
                continue;
            }
            let mut bonus = 0.0;
            if !top_class.is_empty() && dom.elem(s).and_then(|e| e.attr("class")) == Some(top_class) {
                bonus += top_score * 0.2;
            }
            let sl = tlen[s as usize];
            let sld = ld(s);
            let append = if final_score(s) + bonus >= threshold {
                true
            } else if para_like[s as usize] {
                (sl > 80.0 && sld < 0.25) || (sl > 0.0 && sl <= 80.0 && sld == 0.0 && ends_sentence(a, s))
            } else {
                false
            };
            if append {
                roots.push(s);
            }
        }
    }

    if std::env::var_os("NEWSGRAPH_HTML_DEBUG").is_some() {
        for c in cands.iter().take(6) {
            eprintln!("cand {:.1} {}", c.0, path(dom, c.1));
        }
        for &r in &roots {
            eprintln!("root {:.1} {}", final_score(r), path(dom, r));
        }
    }
    // Chunks of one article often share the container's class but sit under different
    // wrappers (ads, figures or grids between them): take same-class strong candidates
    // that are near the chosen container.
    if let Some(top_e) = dom.elem(top) {
        let key = (top_e.local.clone(), top_e.attr("class").unwrap_or(""));
        if !key.1.is_empty() {
            let scope = nth_ancestor(dom, top, 4);
            for &(sc, c) in &cands {
                if sc < threshold {
                    break;
                }
                let Some(ce) = dom.elem(c) else { continue };
                if ce.local == key.0
                    && ce.attr("class") == Some(key.1)
                    && !roots.iter().any(|&r| a.contains(r, c) || a.contains(c, r))
                    && scope != NONE
                    && a.contains(scope, c)
                {
                    roots.push(c);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, b) in a.blocks.iter().enumerate() {
        if roots.iter().any(|&r| a.contains(r, b.owner)) {
            out.push(i);
        }
    }
    out
}

fn ends_sentence(a: &Analysis<'_>, id: u32) -> bool {
    a.blocks.iter().any(|b| b.owner == id && (b.text.ends_with('.') || b.text.contains(". ")))
}

/// No scorable paragraph at all: keep every reasonably long, link-poor block.
fn fallback(a: &Analysis<'_>) -> Vec<usize> {
    a.blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.len >= 15 && (b.link_len as f64) < 0.5 * b.len as f64)
        .map(|(i, _)| i)
        .collect()
}

/// `tag.class#id > …` path of a node, for debugging output.
fn path(dom: &Dom, id: u32) -> String {
    let mut parts = Vec::new();
    let mut cur = id;
    while cur != NONE && cur != 0 {
        if let Some(e) = dom.elem(cur) {
            let mut p = e.local.to_string();
            if let Some(c) = e.attr("class") {
                p.push('.');
                p.push_str(&c.split_whitespace().collect::<Vec<_>>().join("."));
            }
            if let Some(i) = e.attr("id") {
                p.push('#');
                p.push_str(i);
            }
            parts.push(p);
        }
        cur = dom.nodes[cur as usize].parent;
    }
    parts.reverse();
    parts.join(" > ")
}

fn nth_ancestor(dom: &Dom, mut id: u32, n: usize) -> u32 {
    for _ in 0..n {
        let p = dom.nodes[id as usize].parent;
        if p == NONE || p == 0 || matches!(dom.tag(p), "body" | "html") {
            break;
        }
        id = p;
    }
    id
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// Uses JSON-LD `articleBody` to correct a wrong container choice.
///
/// The JSON-LD body is often truncated, stale, or stripped of subheads, so it never
/// replaces the DOM text; it only votes. When the chosen blocks cover less than 70% of
/// its words, we look for the element whose blocks best match it (most shared words
/// minus extra words, accumulated bottom-up in one pass) and return it as the container
/// if it covers ≥ 80% of the JSON-LD words. Returns `None` to keep the DOM choice.
pub(crate) fn ld_hint(a: &Analysis<'_>, ld_body: &str, chosen: &[usize]) -> Option<u32> {
    let vocab: std::collections::HashSet<&str> = words(ld_body).collect();
    let ld_total = words(ld_body).count();
    if ld_total < 50 {
        return None;
    }
    let hits_of = |b: &RawBlock| -> (f64, f64) {
        let (mut h, mut t) = (0.0, 0.0);
        for w in words(&b.text) {
            t += 1.0;
            if vocab.contains(w) {
                h += 1.0;
            }
        }
        (h, t)
    };
    let per_block: Vec<(f64, f64)> = a.blocks.iter().map(hits_of).collect();
    let sel_hits: f64 = chosen.iter().map(|&i| per_block[i].0).sum();
    if sel_hits >= 0.7 * ld_total as f64 {
        return None;
    }
    let dom = a.dom;
    let n = dom.nodes.len();
    let mut hits = vec![0f64; n];
    let mut tot = vec![0f64; n];
    for (b, &(h, t)) in a.blocks.iter().zip(&per_block) {
        hits[b.owner as usize] += h;
        tot[b.owner as usize] += t;
    }
    let mut by_pre: Vec<u32> = (0..n as u32).filter(|&i| a.pre[i as usize] != NONE).collect();
    by_pre.sort_unstable_by_key(|&i| a.pre[i as usize]);
    let mut best = (f64::MIN, NONE);
    for &id in by_pre.iter().rev() {
        let v = hits[id as usize] - (tot[id as usize] - hits[id as usize]);
        if v > best.0 && id != 0 && dom.elem(id).is_some() {
            best = (v, id);
        }
        let p = dom.nodes[id as usize].parent;
        if p != NONE {
            hits[p as usize] += hits[id as usize];
            tot[p as usize] += tot[id as usize];
        }
    }
    let (_, e) = best;
    if e == NONE {
        return None;
    }
    let (h, t) = (hits[e as usize], tot[e as usize]);
    (h >= 0.8 * ld_total as f64 && h >= 0.5 * t && h > sel_hits).then_some(e)
}
