//! Main-text extraction: boilerplate pruning, block collection, container scoring.
//!
//! See `DESIGN.md` for the reasoning; in short:
//! 1. mark subtrees that are never article text (scripts, nav, share bars, …), protecting
//!    any subtree that holds most of the page's paragraph text from class-name false alarms;
//! 2. flatten the remaining DOM into text *blocks* (one per paragraph-like element or
//!    inline run) with their length, link-text length and owner element;
//! 3. score container elements readability-style from the blocks they hold, pick the best,
//!    widen it when several strong candidates share an ancestor, add continuation siblings;
//! 4. keep the container's blocks that do not look like boilerplate.

use crate::dom::{Data, Dom, NONE};

/// What to strip by class/id. Matching happens on lower-cased `class` + `id` values.
#[derive(Clone, Copy)]
pub(crate) struct Rules {
    pub include_comments: bool,
    pub include_captions: bool,
}

/// A collected block of text.
#[derive(Debug, Clone)]
pub(crate) struct RawBlock {
    pub text: String,
    /// Element whose content this block is (a `<p>`, `<li>`, or a `<div>` holding a run).
    pub owner: u32,
    /// The block is an inline run inside an element that also has block children
    /// (so the owner itself is the paragraph's container).
    pub run: bool,
    pub len: usize,
    pub link_len: usize,
    pub heading: u8,
    /// (text node, byte index in its text) of the first non-space char.
    pub first: (u32, usize),
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Para,
    Heading,
    ListItem,
    Quote,
    Pre,
    Cell,
    Caption,
    Other,
}

fn is_block_tag(t: &str) -> bool {
    matches!(
        t,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "tfoot"
            | "caption"
            | "figure"
            | "figcaption"
            | "header"
            | "footer"
            | "aside"
            | "nav"
            | "form"
            | "fieldset"
            | "address"
            | "hr"
            | "center"
            | "details"
            | "summary"
            | "body"
            | "html"
            | "dialog"
            | "menu"
    )
}

/// Tags whose content is never article text.
fn is_hard_drop_tag(t: &str) -> bool {
    matches!(
        t,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "button"
            | "input"
            | "select"
            | "textarea"
            | "option"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "dialog"
            | "map"
            | "label"
            | "picture"
            | "img"
            | "source"
    )
}

/// Tags that are usually page chrome but occasionally wrap content (guarded).
fn is_soft_drop_tag(t: &str) -> bool {
    matches!(t, "nav" | "footer" | "aside" | "header" | "menu")
}

const POSITIVE: &[&str] = &[
    "articlebody",
    "article-body",
    "article__body",
    "article_body",
    "storybody",
    "story-body",
    "story__body",
    "story_body",
    "entry-content",
    "entry__content",
    "post-content",
    "postcontent",
    "post-body",
    "postbody",
    "post__content",
    "article-content",
    "articlecontent",
    "article__content",
    "article_content",
    "story-content",
    "storycontent",
    "body-copy",
    "article-text",
    "articletext",
    "story-text",
    "main-text",
    "maintext",
    "content-body",
    "body-content",
    "article__text",
    "paywall",
    "rich-text",
    "text-body",
];

/// Class/id fragments that mark boilerplate anywhere in a class or id value.
const NEG_CONTAINS: &[&str] = &[
    "related",
    "newsletter",
    "subscri",
    "sidebar",
    "breadcrumb",
    "social",
    "sponsor",
    "advert",
    "cookie",
    "consent",
    "outbrain",
    "taboola",
    "recommend",
    "trending",
    "most-popular",
    "mostpopular",
    "popular-",
    "signup",
    "sign-up",
    "read-more",
    "readmore",
    "more-stories",
    "morestories",
    "byline",
    "author",
    "share",
    "sharing",
    "disqus",
    "promo",
    "popup",
    "modal",
    "toolbar",
    "masthead",
    "dateline",
    "timestamp",
    "published",
    "pubdate",
    "post-meta",
    "entry-meta",
    "article-meta",
    "article__meta",
    "tag-list",
    "taglist",
    "keywords",
    "topics",
    "pagination",
    "pager",
    "jump-link",
    "skip-link",
    "visually-hidden",
    "sr-only",
    "screen-reader",
    "hidden-print",
    "print-only",
    "further-reading",
    "see-also",
    "also-read",
    "inline-ad",
    "ad-slot",
    "adslot",
    "ad-container",
    "ad-wrapper",
    "ad-unit",
    "adunit",
    "dfp",
    "gpt-ad",
    "banner",
    "right-rail",
    "left-rail",
    "rail-",
    "widget",
    "comment-count",
    "nav-",
    "-nav",
    "_nav",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "subnav",
    "bottom-of-article",
    "next-article",
    "prev-article",
    "article-footer",
    "copyright",
    "credit",
    "disclaimer",
    "donate",
    "membership",
    "paid-content",
    "alert",
    "errormessage",
    "login",
];

/// Whole dash/underscore-separated parts that mark boilerplate.
const NEG_PARTS: &[&str] = &[
    "ad", "ads", "tags", "tag", "meta", "print", "date", "time", "nav", "teaser", "teasers", "overlay", "hide",
    "hidden", "skip", "bio",
];

fn class_id(e: &crate::dom::Elem) -> String {
    let mut s = String::new();
    for a in &e.attrs {
        let n = &*a.name.local;
        if n == "class" || n == "id" {
            s.push_str(&a.value.to_ascii_lowercase());
            s.push(' ');
        }
    }
    s
}

fn automaton(pats: &'static [&'static str]) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasick::new(pats).expect("static patterns")
}

fn is_positive(ci: &str) -> bool {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| automaton(POSITIVE)).is_match(ci)
}

fn negative_reason(ci: &str, rules: Rules) -> bool {
    if ci.is_empty() {
        return false;
    }
    // Embedded posts (tweets, Instagram, …) sit in the article flow and are quoted as part
    // of the story, even though their wrappers say "social".
    if ci.contains("embed") || ci.contains("twitter-tweet") {
        return false;
    }
    if !rules.include_comments && (ci.contains("comment") && !ci.contains("commentary")) {
        return true;
    }
    if !rules.include_captions && (ci.contains("caption") || ci.contains("credit")) {
        return true;
    }
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    if AC.get_or_init(|| automaton(NEG_CONTAINS)).is_match(ci) {
        return true;
    }
    ci.split(|c: char| c.is_whitespace() || c == '-' || c == '_').any(|part| NEG_PARTS.contains(&part))
}

/// Why an element's subtree is excluded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prune {
    Keep,
    Hard,
    Soft,
}

fn drop_kind(dom: &Dom, id: u32, rules: Rules) -> (Prune, bool) {
    let Some(e) = dom.elem(id) else { return (Prune::Keep, false) };
    let t = &*e.local;
    if is_hard_drop_tag(t) {
        return (Prune::Hard, false);
    }
    if !rules.include_captions && t == "figcaption" {
        return (Prune::Hard, false);
    }
    if e.attr("hidden").is_some() {
        return (Prune::Hard, false);
    }
    if let Some(st) = e.attr("style") {
        let st = st.to_ascii_lowercase().replace(' ', "");
        if st.contains("display:none") || st.contains("visibility:hidden") {
            return (Prune::Hard, false);
        }
    }
    if e.attr("aria-hidden") == Some("true") && !matches!(t, "p" | "div" | "section" | "article") {
        return (Prune::Hard, false);
    }
    let ci = class_id(e);
    let pos = is_positive(&ci) || e.attr("itemprop").is_some_and(|v| v.eq_ignore_ascii_case("articleBody"));
    if pos {
        return (Prune::Keep, true);
    }
    if is_soft_drop_tag(t) {
        return (Prune::Soft, false);
    }
    if let Some(role) = e.attr("role") {
        if matches!(
            role,
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "dialog"
                | "alert"
                | "menu"
                | "menubar"
                | "toolbar"
        ) {
            return (Prune::Soft, false);
        }
    }
    if negative_reason(&ci, rules) && !matches!(t, "body" | "html") {
        return (Prune::Soft, false);
    }
    (Prune::Keep, false)
}

/// Per-document analysis state.
pub(crate) struct Analysis<'a> {
    pub dom: &'a Dom,
    /// Pre-order position of each node (NONE if unreachable from the root).
    pub pre: Vec<u32>,
    /// Pre-order position of the last node in each subtree.
    pub end: Vec<u32>,
    pub blocks: Vec<RawBlock>,
    pub positive: Vec<bool>,
}

impl<'a> Analysis<'a> {
    pub fn contains(&self, anc: u32, node: u32) -> bool {
        let (a, n) = (self.pre[anc as usize], self.pre[node as usize]);
        a != NONE && n != NONE && a <= n && n <= self.end[anc as usize]
    }
}

/// Counts text length as "characters after whitespace collapsing" (cheap approximation).
fn text_len(s: &str) -> usize {
    let mut n = 0;
    let mut prev_space = true;
    for c in s.chars() {
        if c.is_whitespace() {
            if !prev_space {
                n += 1;
            }
            prev_space = true;
        } else {
            n += 1;
            prev_space = false;
        }
    }
    n
}

pub(crate) fn analyze(dom: &Dom, rules: Rules) -> Analysis<'_> {
    let n = dom.nodes.len();
    let mut pre = vec![NONE; n];
    let mut end = vec![NONE; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut drop = vec![Prune::Keep; n];
    let mut positive = vec![false; n];
    let mut own_drop = vec![Prune::Keep; n];
    let mut in_link = vec![false; n];

    // Pass 1: pre-order, drop marks (inherited), positive marks.
    {
        let mut stack: Vec<(u32, bool)> = vec![(0, false)];
        while let Some((id, exit)) = stack.pop() {
            if exit {
                end[id as usize] = order.len() as u32 - 1;
                continue;
            }
            pre[id as usize] = order.len() as u32;
            order.push(id);
            let parent = dom.nodes[id as usize].parent;
            let inherited = if parent == NONE { Prune::Keep } else { drop[parent as usize] };
            let (d, pos) = drop_kind(dom, id, rules);
            positive[id as usize] = pos;
            own_drop[id as usize] = d;
            in_link[id as usize] = (parent != NONE && in_link[parent as usize]) || dom.tag(id) == "a";
            drop[id as usize] = match (inherited, d) {
                (Prune::Hard, _) | (_, Prune::Hard) => Prune::Hard,
                (Prune::Soft, _) | (_, Prune::Soft) => Prune::Soft,
                _ => Prune::Keep,
            };
            stack.push((id, true));
            let kids: Vec<u32> = dom.children(id).collect();
            for &k in kids.iter().rev() {
                stack.push((k, false));
            }
        }
    }

    // Pass 2: paragraph-ish text below each node, ignoring only hard drops, to guard soft
    // drops: a "sidebar"-classed wrapper that holds most of the page's prose is the article.
    let mut prose = vec![0usize; n];
    for &id in order.iter().rev() {
        let node = &dom.nodes[id as usize];
        if drop[id as usize] == Prune::Hard {
            continue;
        }
        if let Data::Text(t) = &node.data {
            let p = node.parent;
            // Only running prose counts: text of paragraphs and their inline formatting,
            // not link text or list items (menus are lists of links).
            if p != NONE
                && matches!(
                    dom.tag(p),
                    "p" | "span" | "em" | "strong" | "b" | "i" | "u" | "font" | "blockquote" | "pre"
                )
            {
                let l = text_len(&t.text);
                if l >= 20 && !in_link[id as usize] {
                    prose[id as usize] = l;
                }
            }
        } else if node.first != NONE {
            let mut s = 0;
            for c in dom.children(id) {
                s += prose[c as usize];
            }
            prose[id as usize] = s;
        }
    }
    let total = prose[0].max(1);
    // Undo soft drops on subtrees that hold ≥ 35% of the page's prose: re-walk in pre-order
    // and recompute inheritance with the guard applied.
    let mut final_drop = vec![Prune::Keep; n];
    let debug = std::env::var_os("NEWSGRAPH_HTML_DEBUG").is_some();
    for &id in &order {
        let parent = dom.nodes[id as usize].parent;
        let inherited = if parent == NONE { Prune::Keep } else { final_drop[parent as usize] };
        let own = {
            let d = own_drop[id as usize];
            if d == Prune::Soft && prose[id as usize] * 100 >= total * 35 {
                Prune::Keep
            } else {
                d
            }
        };
        final_drop[id as usize] = if inherited != Prune::Keep { inherited } else { own };
        if debug && own == Prune::Soft && inherited == Prune::Keep && prose[id as usize] > 200 {
            if let Some(e) = dom.elem(id) {
                eprintln!("soft-drop <{}> {:?} prose={}/{total}", &*e.local, class_id(e), prose[id as usize]);
            }
        }
    }

    let blocks = collect_blocks(dom, &final_drop);
    Analysis { dom, pre, end, blocks, positive }
}

fn kind_of(tag: &str) -> (Kind, u8) {
    match tag {
        "p" => (Kind::Para, 0),
        "h1" => (Kind::Heading, 1),
        "h2" => (Kind::Heading, 2),
        "h3" => (Kind::Heading, 3),
        "h4" => (Kind::Heading, 4),
        "h5" => (Kind::Heading, 5),
        "h6" => (Kind::Heading, 6),
        "li" | "dd" | "dt" => (Kind::ListItem, 0),
        "blockquote" => (Kind::Quote, 0),
        "pre" => (Kind::Pre, 0),
        "td" | "th" => (Kind::Cell, 0),
        "figcaption" | "caption" => (Kind::Caption, 0),
        _ => (Kind::Other, 0),
    }
}

struct Frame {
    id: u32,
    seen_block_child: bool,
}

struct Collector {
    blocks: Vec<RawBlock>,
    text: String,
    link_len: usize,
    first: Option<(u32, usize)>,
    pending_space: bool,
}

impl Collector {
    fn push_text(&mut self, node: u32, s: &str, in_link: bool) {
        for (i, c) in s.char_indices() {
            if c.is_whitespace() {
                self.pending_space = true;
                continue;
            }
            if self.first.is_none() {
                self.first = Some((node, i));
            } else if self.pending_space {
                self.text.push(' ');
                if in_link {
                    self.link_len += 1;
                }
            }
            self.pending_space = false;
            self.text.push(c);
            if in_link {
                self.link_len += 1;
            }
        }
    }
    fn newline(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
            self.pending_space = false;
        }
    }
    fn flush(&mut self, dom: &Dom, owner: u32, run: bool) {
        let text = std::mem::take(&mut self.text);
        let first = self.first.take();
        let link_len = std::mem::replace(&mut self.link_len, 0);
        self.pending_space = false;
        let text = text.trim_end().to_string();
        if text.is_empty() {
            return;
        }
        let (kind, heading) = kind_of(dom.tag(owner));
        let len = text.chars().count();
        self.blocks.push(RawBlock {
            text,
            owner,
            run,
            len,
            link_len: link_len.min(len),
            heading,
            first: first.unwrap_or((owner, 0)),
            kind,
        });
    }
}

fn collect_blocks(dom: &Dom, drop: &[Prune]) -> Vec<RawBlock> {
    let mut c = Collector { blocks: Vec::new(), text: String::new(), link_len: 0, first: None, pending_space: false };
    // Explicit stack: (node, exiting?). Frames track the current block owner.
    let mut frames: Vec<Frame> = vec![Frame { id: 0, seen_block_child: false }];
    let mut link_depth = 0usize;
    let mut stack: Vec<(u32, bool)> = vec![(0, false)];
    while let Some((id, exit)) = stack.pop() {
        let node = &dom.nodes[id as usize];
        match &node.data {
            Data::Text(t) => {
                if !exit {
                    c.push_text(id, &t.text, link_depth > 0);
                }
            }
            Data::Element(e) => {
                let tag = &*e.local;
                let block = is_block_tag(tag);
                if exit {
                    if tag == "a" {
                        link_depth = link_depth.saturating_sub(1);
                    }
                    if block {
                        let f = frames.pop().expect("frame");
                        c.flush(dom, f.id, f.seen_block_child);
                    }
                    continue;
                }
                if id != 0 && drop[id as usize] != Prune::Keep {
                    // A dropped block still separates the text around it.
                    if block {
                        if let Some(f) = frames.last_mut() {
                            f.seen_block_child = true;
                        }
                        let owner = frames.last().map(|f| f.id).unwrap_or(0);
                        c.flush(dom, owner, true);
                    }
                    continue;
                }
                if tag == "br" {
                    c.newline();
                    continue;
                }
                if block {
                    let owner = frames.last().map(|f| f.id).unwrap_or(0);
                    if let Some(f) = frames.last_mut() {
                        f.seen_block_child = true;
                    }
                    c.flush(dom, owner, true);
                    frames.push(Frame { id, seen_block_child: false });
                }
                if tag == "a" {
                    link_depth += 1;
                }
                stack.push((id, true));
                let mut k = node.last;
                while k != NONE {
                    stack.push((k, false));
                    k = dom.nodes[k as usize].prev;
                }
            }
            Data::Document => {
                if !exit {
                    stack.push((id, true));
                    let mut k = node.last;
                    while k != NONE {
                        stack.push((k, false));
                        k = dom.nodes[k as usize].prev;
                    }
                } else {
                    c.flush(dom, 0, true);
                }
            }
            Data::Other => {}
        }
    }
    c.blocks
}
