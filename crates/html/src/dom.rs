//! A compact arena DOM built by html5ever.
//!
//! We use our own `TreeSink` instead of `scraper`/`rcdom` because (a) an index arena is
//! cheaper to build and walk than reference-counted nodes, and (b) it lets us recover the
//! byte offset of text in the source: html5ever hands text to the sink as tendrils that
//! usually *share* the input buffer, so a pointer difference gives the source offset
//! for free (see [`TextNode::anchor`]).

use html5ever::interface::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{parse_document, Attribute, LocalName, QualName};
use std::borrow::Cow;
use std::cell::{Ref, RefCell};

pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug)]
pub(crate) struct Elem {
    pub local: LocalName,
    pub attrs: Vec<Attribute>,
}

impl Elem {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|a| &*a.name.local == name).map(|a| &*a.value)
    }
}

#[derive(Debug)]
pub(crate) struct TextNode {
    pub text: String,
    /// `(index in text, byte offset in source)` of the first piece of this node that was
    /// found to point into the source buffer. Pieces of ≤ 8 bytes are copied inline by
    /// tendril and entity-decoded text is fresh, so not every node gets one.
    pub anchor: Option<(u32, u32)>,
}

#[derive(Debug)]
pub(crate) enum Data {
    Document,
    Element(Elem),
    Text(TextNode),
    Other,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub parent: u32,
    pub first: u32,
    pub last: u32,
    pub next: u32,
    pub prev: u32,
    pub data: Data,
}

pub(crate) struct Dom {
    pub nodes: Vec<Node>,
}

impl Dom {
    pub fn elem(&self, id: u32) -> Option<&Elem> {
        match &self.nodes[id as usize].data {
            Data::Element(e) => Some(e),
            _ => None,
        }
    }
    pub fn tag(&self, id: u32) -> &str {
        match &self.nodes[id as usize].data {
            Data::Element(e) => &e.local,
            _ => "",
        }
    }
    pub fn children(&self, id: u32) -> Children<'_> {
        Children { dom: self, cur: self.nodes[id as usize].first }
    }
    /// Nodes in document (pre-)order starting at `root`, including it.
    pub fn descendants(&self, root: u32) -> Descendants<'_> {
        Descendants { dom: self, root, cur: root }
    }
    pub fn next_in_order(&self, root: u32, id: u32, enter: bool) -> u32 {
        let n = &self.nodes[id as usize];
        if enter && n.first != NONE {
            return n.first;
        }
        let mut cur = id;
        loop {
            if cur == root {
                return NONE;
            }
            let c = &self.nodes[cur as usize];
            if c.next != NONE {
                return c.next;
            }
            cur = c.parent;
            if cur == NONE {
                return NONE;
            }
        }
    }
}

pub(crate) struct Children<'a> {
    dom: &'a Dom,
    cur: u32,
}
impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.cur == NONE {
            return None;
        }
        let c = self.cur;
        self.cur = self.dom.nodes[c as usize].next;
        Some(c)
    }
}

pub(crate) struct Descendants<'a> {
    dom: &'a Dom,
    root: u32,
    cur: u32,
}
impl Iterator for Descendants<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.cur == NONE {
            return None;
        }
        let c = self.cur;
        self.cur = self.dom.next_in_order(self.root, c, true);
        Some(c)
    }
}

struct Sink {
    nodes: RefCell<Vec<Node>>,
    /// Element names live apart from `nodes` so `elem_name` can hand out a shared borrow
    /// while the tree builder keeps mutating the tree.
    names: RefCell<Vec<QualName>>,
    name_of: RefCell<Vec<u32>>,
    base: usize,
    len: usize,
    /// Where content was cut out of the parsed input: (offset in the parsed input, bytes
    /// cut before it), sorted. Maps parsed offsets back to offsets in the original page.
    cuts: Vec<(u32, u32)>,
}

impl Sink {
    fn new_node(&self, data: Data) -> u32 {
        let mut nodes = self.nodes.borrow_mut();
        let id = nodes.len() as u32;
        nodes.push(Node { parent: NONE, first: NONE, last: NONE, next: NONE, prev: NONE, data });
        self.name_of.borrow_mut().push(NONE);
        id
    }

    fn source_offset(&self, t: &StrTendril) -> Option<u32> {
        let p = t.as_ptr() as usize;
        (t.len() > 8 && p >= self.base && p < self.base + self.len).then(|| {
            let off = (p - self.base) as u32;
            let i = self.cuts.partition_point(|&(at, _)| at <= off);
            off + if i == 0 { 0 } else { self.cuts[i - 1].1 }
        })
    }

    fn detach(nodes: &mut [Node], id: u32) {
        let (parent, prev, next) = {
            let n = &nodes[id as usize];
            (n.parent, n.prev, n.next)
        };
        if parent == NONE {
            return;
        }
        if prev != NONE {
            nodes[prev as usize].next = next;
        } else {
            nodes[parent as usize].first = next;
        }
        if next != NONE {
            nodes[next as usize].prev = prev;
        } else {
            nodes[parent as usize].last = prev;
        }
        let n = &mut nodes[id as usize];
        n.parent = NONE;
        n.prev = NONE;
        n.next = NONE;
    }

    fn append_child(nodes: &mut [Node], parent: u32, child: u32) {
        Self::detach(nodes, child);
        let last = nodes[parent as usize].last;
        {
            let c = &mut nodes[child as usize];
            c.parent = parent;
            c.prev = last;
        }
        if last != NONE {
            nodes[last as usize].next = child;
        } else {
            nodes[parent as usize].first = child;
        }
        nodes[parent as usize].last = child;
    }

    fn insert_before(nodes: &mut [Node], sibling: u32, child: u32) {
        Self::detach(nodes, child);
        let (parent, prev) = (nodes[sibling as usize].parent, nodes[sibling as usize].prev);
        {
            let c = &mut nodes[child as usize];
            c.parent = parent;
            c.prev = prev;
            c.next = sibling;
        }
        nodes[sibling as usize].prev = child;
        if prev != NONE {
            nodes[prev as usize].next = child;
        } else if parent != NONE {
            nodes[parent as usize].first = child;
        }
    }

    /// Appends text to `existing` if it is a text node; returns false otherwise.
    fn push_text(&self, existing: u32, t: &StrTendril) -> bool {
        if existing == NONE {
            return false;
        }
        let off = self.source_offset(t);
        let mut nodes = self.nodes.borrow_mut();
        if let Data::Text(tn) = &mut nodes[existing as usize].data {
            if tn.anchor.is_none() && !t.trim().is_empty() {
                if let Some(o) = off {
                    tn.anchor = Some((tn.text.len() as u32, o));
                }
            }
            tn.text.push_str(t);
            true
        } else {
            false
        }
    }

    fn new_text(&self, t: &StrTendril) -> u32 {
        let anchor = if t.trim().is_empty() { None } else { self.source_offset(t).map(|o| (0, o)) };
        self.new_node(Data::Text(TextNode { text: t.to_string(), anchor }))
    }
}

impl TreeSink for Sink {
    type Handle = u32;
    type Output = Dom;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Dom {
        Dom { nodes: self.nodes.into_inner() }
    }
    fn parse_error(&self, _msg: Cow<'static, str>) {}
    fn get_document(&self) -> u32 {
        0
    }
    fn elem_name<'a>(&'a self, target: &'a u32) -> Ref<'a, QualName> {
        let idx = self.name_of.borrow()[*target as usize];
        // Non-elements never reach here in practice; fall back to the first name.
        let idx = if idx == NONE { 0 } else { idx };
        Ref::map(self.names.borrow(), |n| &n[idx as usize])
    }
    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _flags: ElementFlags) -> u32 {
        let id = self.new_node(Data::Element(Elem { local: name.local.clone(), attrs }));
        let mut names = self.names.borrow_mut();
        self.name_of.borrow_mut()[id as usize] = names.len() as u32;
        names.push(name);
        id
    }
    fn create_comment(&self, _text: StrTendril) -> u32 {
        self.new_node(Data::Other)
    }
    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> u32 {
        self.new_node(Data::Other)
    }
    fn append(&self, parent: &u32, child: NodeOrText<u32>) {
        let child = match child {
            NodeOrText::AppendNode(n) => n,
            NodeOrText::AppendText(t) => {
                let last = self.nodes.borrow()[*parent as usize].last;
                if self.push_text(last, &t) {
                    return;
                }
                self.new_text(&t)
            }
        };
        Self::append_child(&mut self.nodes.borrow_mut(), *parent, child);
    }
    fn append_based_on_parent_node(&self, element: &u32, prev_element: &u32, child: NodeOrText<u32>) {
        let has_parent = self.nodes.borrow()[*element as usize].parent != NONE;
        if has_parent {
            self.append_before_sibling(element, child)
        } else {
            self.append(prev_element, child)
        }
    }
    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}
    fn get_template_contents(&self, target: &u32) -> u32 {
        // Template contents are kept inline (we never render templates).
        *target
    }
    fn same_node(&self, x: &u32, y: &u32) -> bool {
        x == y
    }
    fn set_quirks_mode(&self, _mode: QuirksMode) {}
    fn append_before_sibling(&self, sibling: &u32, child: NodeOrText<u32>) {
        let child = match child {
            NodeOrText::AppendNode(n) => n,
            NodeOrText::AppendText(t) => {
                let prev = self.nodes.borrow()[*sibling as usize].prev;
                if self.push_text(prev, &t) {
                    return;
                }
                self.new_text(&t)
            }
        };
        Self::insert_before(&mut self.nodes.borrow_mut(), *sibling, child);
    }
    fn add_attrs_if_missing(&self, target: &u32, attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        if let Data::Element(e) = &mut nodes[*target as usize].data {
            for a in attrs {
                if !e.attrs.iter().any(|x| x.name == a.name) {
                    e.attrs.push(a);
                }
            }
        }
    }
    fn remove_from_parent(&self, target: &u32) {
        Self::detach(&mut self.nodes.borrow_mut(), *target);
    }
    fn reparent_children(&self, node: &u32, new_parent: &u32) {
        let mut nodes = self.nodes.borrow_mut();
        let mut c = nodes[*node as usize].first;
        while c != NONE {
            let next = nodes[c as usize].next;
            Self::append_child(&mut nodes, *new_parent, c);
            c = next;
        }
    }
}

/// Parses a whole document. Never panics on malformed input (html5ever recovers from
/// anything, per the HTML5 spec).
pub(crate) fn parse(html: &str) -> Dom {
    let (stripped, cuts) = strip_scripts(html);
    let input = StrTendril::from_slice(&stripped);
    let sink = Sink {
        nodes: RefCell::new(Vec::with_capacity(html.len() / 40 + 16)),
        names: RefCell::new(Vec::new()),
        name_of: RefCell::new(Vec::new()),
        base: input.as_ptr() as usize,
        len: input.len(),
        cuts,
    };
    sink.new_node(Data::Document);
    let mut parser = parse_document(sink, Default::default());
    parser.process(input);
    parser.finish()
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

/// Cuts the contents of `<script>` (except JSON-LD), `<style>` and `<svg>` elements out
/// of the page, and says where: `(offset in the result, bytes cut before it)` pairs.
///
/// Scripts are often half of a news page's bytes; html5ever would tokenize them character
/// by character into text nodes we then drop. Cutting them before parsing saves that work,
/// and the cut table maps every offset in the result back to the page. The parse is
/// otherwise unchanged: the end tag is found the same way the tokenizer would (first
/// `</script`), so no markup moves.
pub(crate) fn strip_scripts(html: &str) -> (Cow<'_, str>, Vec<(u32, u32)>) {
    let b = html.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut cuts: Vec<(u32, u32)> = Vec::new();
    let mut copied = 0; // bytes of `b` already handled into `out`
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&c| c == b'<') {
        let start = i + p;
        let rest = &b[start + 1..];
        let tag: &[u8] = if starts_with_ci(rest, b"script") {
            b"script"
        } else if starts_with_ci(rest, b"style") {
            b"style"
        } else if starts_with_ci(rest, b"svg") {
            // Inline icons: foreign content we drop anyway, often many kilobytes of paths.
            b"svg"
        } else {
            i = start + 1;
            continue;
        };
        // The name must end here (`<scripts>` is another element).
        match rest.get(tag.len()) {
            Some(c) if c.is_ascii_whitespace() || *c == b'>' || *c == b'/' => {}
            _ => {
                i = start + 1;
                continue;
            }
        }
        let Some(gt) = b[start..].iter().position(|&c| c == b'>') else { break };
        let open_end = start + gt + 1;
        let open_tag = &b[start..open_end];
        // Keep JSON-LD: it carries metadata and the `articleBody` hint.
        let keep = tag == b"script" && open_tag.windows(7).any(|w| w.eq_ignore_ascii_case(b"ld+json"));
        let mut close = None;
        let mut j = open_end;
        while let Some(q) = b[j..].iter().position(|&c| c == b'<') {
            let k = j + q;
            if b.get(k + 1) == Some(&b'/') && starts_with_ci(&b[k + 2..], tag) {
                close = Some(k);
                break;
            }
            j = k + 1;
        }
        let Some(close) = close else { break };
        if !keep && close > open_end {
            let buf = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
            buf.extend_from_slice(&b[copied..open_end]);
            copied = close;
            let cut_so_far = cuts.last().map_or(0, |c| c.1) + (close - open_end) as u32;
            cuts.push((buf.len() as u32, cut_so_far));
        }
        i = close + 2;
    }
    match out {
        // Each cut lies between the ASCII bytes `>` and `<`, so the pieces kept hold whole
        // code points and the result stays valid UTF-8.
        Some(mut v) => {
            v.extend_from_slice(&b[copied..]);
            match String::from_utf8(v) {
                Ok(s) => (Cow::Owned(s), cuts),
                Err(_) => (Cow::Borrowed(html), Vec::new()),
            }
        }
        None => (Cow::Borrowed(html), cuts),
    }
}
