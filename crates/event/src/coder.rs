//! The shallow analysis: trigger patterns over lemma readings, clause boundaries, subject
//! (nearest actor before the trigger, by-phrase in the passive), object (first actor after
//! it), place (a place after a locative preposition), date (the nearest resolved date),
//! modality (negation, condition, intention words before the trigger).
use crate::actors::{entity_code, iso3, noun_sector};
use crate::patterns::{readings, Pattern, WIDE_GAP};
use crate::EventCoder;
use newsgraph_kb::Kb;
use newsgraph_model::{Actor, Document, EntityType, Event, Modality, Span, TimexType, TokenKind};

/// Words that end a clause for actor search ("…, while Russia seeks …").
const BOUNDARY: &[&str] = &[
    "while", "whereas", "but", "although", "though", "because", "when", "where", "unless", "if", "which", "who",
    "whom", ";", ":",
];
/// Prepositions that put an actor out of subject position.
const PREPS: &[&str] = &[
    "in",
    "at",
    "on",
    "near",
    "from",
    "to",
    "into",
    "with",
    "against",
    "by",
    "for",
    "toward",
    "towards",
    "across",
    "over",
    "under",
    "between",
    "among",
    "about",
    "than",
    "via",
    "inside",
    "outside",
    "throughout",
    "around",
    "within",
    "including",
];
/// Prepositions that make a place the event's location rather than an actor.
const LOCATIVE: &[&str] = &["in", "at", "near", "inside", "outside", "throughout", "across", "around", "within"];
const NEGATION: &[&str] = &["not", "n't", "never", "no", "cannot", "neither", "nor"];
const INTENT: &[&str] = &[
    "will",
    "'ll",
    "shall",
    "would",
    "should",
    "plan",
    "plans",
    "planned",
    "planning",
    "intend",
    "intends",
    "intended",
    "intending",
    "expected",
    "scheduled",
    "going",
    "upcoming",
    "want",
    "wants",
    "wanted",
    "seek",
    "seeks",
    "seeking",
    "sought",
    "hope",
    "hopes",
    "hoped",
    "aim",
    "aims",
    "try",
    "tries",
    "trying",
    "offered",
    "offers",
    "offer",
    // Willingness is intent (codebook 03: "express willingness to …").
    "willing",
    "prepared",
    "ready",
    "preparing",
    "prepares",
];
const MAYBE: &[&str] = &["could", "might", "may"];
/// Future and ability auxiliaries: "will not accept" states a refusal.
const FUTURE: &[&str] = &["will", "would", "shall", "wo", "'ll", "can", "ca", "cannot"];
/// Preparing a hostile act is a show of force (codebook 150), not a threat.
const PREPARE: &[&str] = &["prepared", "preparing", "prepare", "prepares"];
/// Trying a hostile act is doing it, not announcing it.
const ATTEMPT: &[&str] = &["try", "tries", "trying"];
/// Speech verbs: "X said Y must …" is X's demand on Y.
const SAY: &[&str] = &[
    "said",
    "says",
    "say",
    "announced",
    "declared",
    "stated",
    "insisted",
    "told",
    "added",
    "argued",
    "warned",
    "stressed",
    "concluded",
    "urged",
];
/// Words that open a subordinate clause: a trigger after them, once the sentence has an
/// earlier event, is less likely the sentence's event.
const SUBORD: &[&str] = &["which", "who", "whom", "whose", "that", "after", "before", "since", "following", "amid"];
/// Nouns that name a group of actors ("groups in Zimbabwe", "forces in Guinea").
const ACTOR_NOUNS: &[&str] = &[
    "government",
    "army",
    "police",
    "military",
    "opposition",
    "leadership",
    "regime",
    "parliament",
    "court",
    "ministry",
    "leader",
    "leaders",
    "officials",
    "authorities",
    "forces",
    "troops",
    "soldiers",
    "groups",
    "rebels",
    "students",
    "workers",
    "protesters",
    "demonstrators",
    "militants",
    "guerrillas",
    "guerillas",
    "militiamen",
    "fighters",
    "insurgents",
    "separatists",
    "residents",
    "citizens",
    "refugees",
    "activists",
    "farmers",
    "lawmakers",
    "legislators",
    "politicians",
    "parties",
    "unions",
    "militias",
    "gunmen",
    "villagers",
];
const BE: &[&str] = &["is", "are", "was", "were", "be", "been", "being", "'s", "get", "got", "gets"];
const DETS: &[&str] = &["the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "these", "those"];
/// Determiners that open a noun phrase whose head, as a trigger, has no subject of its own
/// ("to stop the fighting", "expecting a meeting") unless a light verb governs it.
const NP_DETS: &[&str] = &["the", "a", "an", "this", "that", "these", "those", "any", "no", "another", "such"];
/// Verbs whose subject is the actor of the noun they govern ("had a telephone conversation",
/// "held talks", "launched an attack").
const LIGHT: &[&str] = &[
    "have",
    "has",
    "had",
    "having",
    "hold",
    "holds",
    "held",
    "holding",
    "make",
    "makes",
    "made",
    "making",
    "conduct",
    "conducted",
    "launch",
    "launched",
    "launches",
    "stage",
    "staged",
    "carry",
    "carried",
    "sign",
    "signed",
    "signs",
    "express",
    "expressed",
    "expresses",
    "give",
    "gave",
    "given",
    "begin",
    "began",
    "start",
    "started",
    "pay",
    "paid",
    "mount",
    "mounted",
    "open",
    "opened",
    "offer",
    "offered",
    "issue",
    "issued",
    "announce",
    "announced",
    "announces",
    "declare",
    "declared",
    "declares",
    "order",
    "ordered",
    "orders",
];

struct Tok {
    span: Span,
    lower: String,
    punct: bool,
    /// Starts with a capital letter.
    cap: bool,
}

struct Cand {
    mention: usize,
    entity: u32,
    kind: EntityType,
    t0: usize,
    t1: usize,
    code: Option<String>,
}

/// One sentence as the event rules see it.
struct View<'a> {
    sent: Span,
    words: &'a [Tok],
    read: &'a [Vec<String>],
    cands: &'a [Cand],
    /// The sentence holds a condition (`if`, `unless`; not "even if").
    sentence_if: bool,
}

struct Found<'p> {
    pat: &'p Pattern,
    head: usize,
    end: usize,
    /// The code composed with an absorbed complement ("refused to deploy peacekeepers" →
    /// 1224), for a governing verb.
    composed: Option<String>,
}

impl EventCoder {
    /// The events of a document (sorted by sentence, then trigger).
    pub fn code(&self, doc: &Document, kb: &Kb) -> Vec<Event> {
        let mut out = Vec::new();
        let toks = &doc.layers.tokens;
        let date = doc.meta.published.as_ref().map(|p| p.time.date_naive());
        let mut ti = 0;
        let mut mi = 0;
        for (si, sent) in doc.layers.sentences.iter().enumerate() {
            while ti < toks.len() && (toks[ti].sentence as usize) < si {
                ti += 1;
            }
            let t_start = ti;
            while ti < toks.len() && toks[ti].sentence as usize == si {
                ti += 1;
            }
            let stoks = &toks[t_start..ti];
            while mi < doc.layers.mentions.len() && doc.layers.mentions[mi].span.start < sent.span.start {
                mi += 1;
            }
            let m_start = mi;
            let mut m_end = mi;
            while m_end < doc.layers.mentions.len() && doc.layers.mentions[m_end].span.start < sent.span.end {
                m_end += 1;
            }
            if stoks.is_empty() || m_end == m_start {
                continue;
            }
            let words: Vec<Tok> = stoks
                .iter()
                .map(|t| {
                    let raw = doc.slice(t.span);
                    Tok {
                        span: t.span,
                        lower: raw.to_lowercase().replace('\u{2019}', "'"),
                        punct: matches!(t.kind, TokenKind::Punct | TokenKind::Symbol),
                        cap: raw.starts_with(|c: char| c.is_uppercase()),
                    }
                })
                .collect();
            let cands = self.candidates(doc, kb, date, &words, m_start..m_end);
            if cands.is_empty() {
                continue;
            }
            self.code_sentence(doc, sent.span, &words, &cands, &mut out);
        }
        out
    }

    fn candidates(
        &self,
        doc: &Document,
        kb: &Kb,
        date: Option<chrono::NaiveDate>,
        words: &[Tok],
        range: std::ops::Range<usize>,
    ) -> Vec<Cand> {
        let mentions = &doc.layers.mentions[range.clone()];
        let tok_at = |pos: u32, start: bool| -> Option<usize> {
            if start {
                words.iter().position(|t| t.span.end > pos)
            } else {
                words.iter().rposition(|t| t.span.start < pos)
            }
        };
        let mut cands: Vec<Cand> = Vec::new();
        for (k, m) in mentions.iter().enumerate() {
            let Some(entity) = m.entity else { continue };
            if matches!(m.kind, EntityType::Misc) {
                continue;
            }
            // Inside another mention's role ("Russian" in "Russian President Vladimir Putin").
            if mentions.iter().any(|o| o.role.is_some_and(|r| r.start <= m.span.start && m.span.end <= r.end)) {
                continue;
            }
            let (Some(t0), Some(t1)) = (tok_at(m.span.start, true), tok_at(m.span.end, false)) else { continue };
            if t1 < t0 {
                continue;
            }
            let e = &doc.layers.entities[entity as usize];
            let mut code = entity_code(kb, e, date);
            // "Hungarian officials", "Ukrainian forces": the head noun names the sector.
            if e.kind == EntityType::Group || m.kind == EntityType::Group {
                if let Some(sec) = words.get(t1 + 1).and_then(|t| noun_sector(&t.lower)) {
                    if let Some(c) = e.country.as_deref().and_then(|c| iso3(kb, c)) {
                        code = Some(format!("{c}{sec}"));
                    }
                }
            }
            // "the army of the Kremlin": the noun before "of" names the sector.
            let mut p = t0;
            while p > 0 && DETS.contains(&words[p - 1].lower.as_str()) {
                p -= 1;
            }
            if p >= 2 && words[p - 1].lower == "of" {
                if let (Some(sec), Some(c)) = (noun_sector(&words[p - 2].lower), code.as_ref()) {
                    if c.len() >= 3 && sec != "GOV" {
                        code = Some(format!("{}{sec}", &c[..3]));
                    }
                }
            }
            cands.push(Cand { mention: range.start + k, entity, kind: e.kind, t0, t1, code });
        }
        // A nationality word right before a name is part of that name's phrase.
        let n = cands.len();
        let mut keep = vec![true; n];
        for i in 0..n {
            let e = &doc.layers.entities[cands[i].entity as usize];
            if e.kind == EntityType::Group && e.subtype.as_deref() == Some("nationality") {
                if let Some(next) = cands.get(i + 1) {
                    // Only titles may stand between ("Russian President Vladimir Putin"), not a
                    // verb ("Palestinians blamed Israel").
                    let titles = (cands[i].t1 + 1..next.t0).all(|j| words[j].cap);
                    if next.t0 > cands[i].t1 && next.t0 <= cands[i].t1 + 3 && next.kind != EntityType::Group && titles {
                        keep[i] = false;
                    }
                }
            }
        }
        cands.into_iter().zip(keep).filter(|(_, k)| *k).map(|(c, _)| c).collect()
    }

    fn code_sentence(&self, doc: &Document, sent: Span, words: &[Tok], cands: &[Cand], out: &mut Vec<Event>) {
        let n = words.len();
        let read: Vec<Vec<String>> = words.iter().map(|t| readings(&t.lower, &self.irregular)).collect();
        let in_mention = |i: usize| cands.iter().any(|c| c.t0 <= i && i <= c.t1);
        let stop = |j: usize| {
            let w = words[j].lower.as_str();
            matches!(
                w,
                "." | ";"
                    | ":"
                    | "?"
                    | "!"
                    | "but"
                    | "while"
                    | "whereas"
                    | "which"
                    | "who"
                    | "if"
                    | "unless"
                    | "even"
                    | "when"
                    | "because"
                    | "although"
            )
        };
        // All matches, the best pattern per head.
        let mut found: Vec<Found> = Vec::new();
        for h in 0..n {
            if words[h].punct || in_mention(h) {
                continue;
            }
            let mut best: Option<(&Pattern, Vec<usize>)> = None;
            for pi in self.patterns.heads(&read[h]) {
                let pat = &self.patterns.list[pi as usize];
                let Some(ends) = try_match(pat, &read, h, n, &stop) else { continue };
                let better = match &best {
                    None => true,
                    Some((b, _)) => pat.elems.len() > b.elems.len(),
                };
                if better {
                    best = Some((pat, ends));
                }
            }
            if let Some((pat, ends)) = best {
                for end in ends {
                    found.push(Found { pat, head: h, end, composed: None });
                }
            }
        }
        found.sort_by(|a, b| b.pat.elems.len().cmp(&a.pat.elems.len()).then(a.head.cmp(&b.head)));
        let mut accepted: Vec<Found> = Vec::new();
        for f in found {
            let covered = accepted
                .iter()
                .any(|a| (a.head < f.head && f.head <= a.end) || (a.head == f.head && !std::ptr::eq(a.pat, f.pat)));
            if !covered {
                accepted.push(f);
            }
        }
        accepted.sort_by_key(|f| (f.head, f.end));
        // "must" is a demand only when someone is reported saying it ("X said Y must …").
        accepted.retain(|f| f.pat.text != "must" || (0..f.head).any(|i| SAY.contains(&words[i].lower.as_str())));
        // A governing verb (appeal, intent, investigate, demand, disapprove, reject, threaten)
        // takes the actions of its clause as its complement: "refused to deploy peacekeepers"
        // is a rejection, not a deployment.
        let governs = |f: &Found| matches!(&f.pat.code[..2], "02" | "03" | "09" | "10" | "11" | "12" | "13");
        let mut reach: Vec<(usize, usize)> = Vec::new();
        for f in accepted.iter().filter(|f| governs(f)) {
            let mut e = f.end;
            while e + 1 < n && e < f.end + WIDE_GAP && !stop(e + 1) && words[e + 1].lower != "," {
                e += 1;
            }
            reach.push((f.head, e));
        }
        for &(h, e) in &reach {
            let comp = accepted.iter().find(|c| h < c.head && c.head <= e).map(|c| c.pat.code.clone());
            if let (Some(c), Some(g)) = (comp, accepted.iter_mut().find(|g| g.head == h)) {
                g.composed = compose(&g.pat.code, &c);
            }
        }
        accepted.retain(|f| !reach.iter().any(|&(h, e)| h < f.head && f.head <= e));
        let sentence_if = (0..n).any(|i| {
            matches!(words[i].lower.as_str(), "if" | "unless")
                && !(i > 0 && matches!(words[i - 1].lower.as_str(), "even" | "as"))
        });
        let first = out.len();
        for (rank, f) in accepted.iter().enumerate() {
            let view = View { sent, words, read: &read, cands, sentence_if };
            if let Some(mut ev) = self.event(doc, &view, f) {
                // The subject of an infinitive ("met Putin to discuss …") is the subject of
                // the sentence's earlier event, not the nearest name.
                let infinitive = f.head > 0 && words[f.head - 1].lower == "to";
                let earlier =
                    out[first..].iter().rev().find(|e| e.trigger.end <= ev.trigger.start && e.source.is_some());
                if let (true, Some(prev)) = (infinitive, earlier) {
                    if prev.source != ev.source && ev.evidence.iter().all(|e| !e.starts_with("passive")) {
                        ev.source = prev.source.clone();
                        if ev.target.as_ref().map(|t| t.entity) == ev.source.as_ref().map(|s| s.entity) {
                            ev.target = None;
                        }
                        ev.evidence.push("source: the subject of the governing clause (infinitive)".into());
                    }
                }
                // The main clause's action comes first: later triggers are less likely the
                // sentence's event.
                let mut penalty = 0.08 * rank as f32;
                if let Some(first_f) = accepted.first().filter(|a| a.head < f.head) {
                    if (first_f.end + 1..f.head).any(|i| SUBORD.contains(&words[i].lower.as_str())) {
                        penalty += 0.1;
                        ev.evidence.push("confidence: in a subordinate clause after the sentence's first event".into());
                    }
                }
                // Codebook 10: demands made by protesting are coded as the protest (14x).
                if ev.root == "10" && out[first..].iter().any(|e| e.root == "14" && e.trigger.end <= ev.trigger.start) {
                    penalty += 0.15;
                    ev.evidence.push("confidence: the demand of an earlier protest".into());
                }
                ev.confidence = (ev.confidence - penalty).max(0.05);
                if !out.iter().any(|o: &Event| {
                    o.trigger == ev.trigger && o.code == ev.code && o.source == ev.source && o.target == ev.target
                }) {
                    out.push(ev);
                }
            }
        }
    }

    fn event(&self, doc: &Document, v: &View, f: &Found) -> Option<Event> {
        let View { sent, words, read, cands, sentence_if } = *v;
        let h = f.head;
        let w = |i: usize| words[i].lower.as_str();
        let is_boundary = |i: usize| BOUNDARY.contains(&w(i));
        let before = |c: &Cand| -> Option<&str> {
            let mut p = c.t0;
            while p > 0 && (DETS.contains(&w(p - 1)) || is_adjective_like(w(p - 1))) && c.t0 - p < 2 {
                p -= 1;
            }
            (p > 0).then(|| w(p - 1))
        };
        let mut evidence =
            vec![format!("pattern `{}` → {} ({}; verbs.tsv:{})", f.pat.text, f.pat.code, f.pat.note, f.pat.line)];

        // Passive voice: a be-form (and adverbs) before a participle head.
        let participle = w(h).ends_with("ed")
            || w(h).ends_with("en")
            || self.irregular.get(w(h)).is_some_and(|l| *l != w(h) && !w(h).ends_with('s'));
        let passive = participle && {
            let mut p = h;
            let mut ok = false;
            while p > 0 && h - p < 4 {
                p -= 1;
                if BE.contains(&w(p)) {
                    ok = true;
                    break;
                }
                if !(w(p).ends_with("ly") || matches!(w(p), "also" | "not" | "reportedly" | "being" | "been")) {
                    break;
                }
            }
            ok
        };

        // A noun trigger opened by a determiner has no subject of its own unless a light verb
        // governs it ("stop the fighting" / "had a telephone conversation").
        let np_limit = {
            let mut p = h;
            while p > 0 && h - p < 3 && !NP_DETS.contains(&w(p - 1)) && is_modifier(w(p - 1)) {
                p -= 1;
            }
            if p > 0 && NP_DETS.contains(&w(p - 1)) {
                let d = p - 1;
                let governed = d > 0 && (LIGHT.contains(&w(d - 1)) || (d > 1 && LIGHT.contains(&w(d - 2))));
                (!governed).then_some(d)
            } else {
                None
            }
        };
        // "announces a meeting": an announced meeting is yet to come.
        let announced_noun = {
            let mut p = h;
            while p > 0 && h - p < 3 && !NP_DETS.contains(&w(p - 1)) && is_modifier(w(p - 1)) {
                p -= 1;
            }
            p > 1 && NP_DETS.contains(&w(p - 1)) && matches!(w(p - 2), "announce" | "announces" | "announced")
        };
        // Subject: the nearest actor before the trigger that is not in a prepositional phrase.
        let mut subj: Option<(&Cand, bool)> = None;
        let mut crossed = false;
        // "Opposition groups in Zimbabwe are demanding …": when no actor stands in subject
        // position, the actor of a prepositional phrase after a group noun right before the
        // trigger names the doers' country.
        let mut pp_subject: Option<&Cand> = None;
        let group_pp = |c: &Cand| -> bool {
            let mut p = c.t0;
            while p > 0 && (DETS.contains(&w(p - 1)) || is_adjective_like(w(p - 1))) && c.t0 - p < 2 {
                p -= 1;
            }
            p >= 2
                && matches!(w(p - 1), "in" | "of" | "from" | "throughout" | "across" | "inside")
                && ACTOR_NOUNS.contains(&w(p - 2))
        };
        for c in cands.iter().rev() {
            if np_limit.is_some_and(|d| c.t1 < d) {
                break;
            }
            if c.t1 >= h {
                continue;
            }
            if (c.t1 + 1..h).any(is_boundary) {
                crossed = true;
            }
            if before(c).is_some_and(|b| PREPS.contains(&b)) {
                if pp_subject.is_none()
                    && !crossed
                    && h - c.t1 <= 6
                    && (c.t1 + 1..h).all(|j| w(j) != "," && !words[j].punct)
                    && group_pp(c)
                {
                    pp_subject = Some(c);
                }
                continue;
            }
            subj = Some((c, !crossed));
            break;
        }
        if subj.is_none() && !passive {
            if let Some(c) = pp_subject {
                evidence.push("source: the actor named in the subject's phrase (\"groups in X\")".into());
                subj = Some((c, false));
            }
        }
        // "X said Y must …": Y is the target of X's demand.
        let must = f.pat.text == "must";
        let speaker = if must {
            let (s, _) = subj?;
            let say = (0..s.t0).rev().find(|&i| SAY.contains(&w(i)))?;
            let sp = cands.iter().rev().find(|c| c.t1 < say && !before(c).is_some_and(|b| PREPS.contains(&b)))?;
            evidence.push("demand: the speaker's `must` on the actor before it".into());
            Some(sp)
        } else {
            None
        };
        // Object: the first actor after the match, within the clause, not a location.
        let mut obj: Option<&Cand> = None;
        let mut agent: Option<&Cand> = None;
        for c in cands.iter() {
            if c.t0 <= f.head {
                continue;
            }
            if (f.head + 1..c.t0).any(is_boundary) || c.t0 > f.end + 14 {
                break;
            }
            let b = before(c);
            if passive && b == Some("by") {
                agent.get_or_insert(c);
                continue;
            }
            if b.is_some_and(|b| LOCATIVE.contains(&b)) {
                continue;
            }
            if subj.is_some_and(|(s, _)| s.entity == c.entity) {
                continue;
            }
            if obj.is_none() {
                obj = Some(c);
            }
        }
        let (source, target) = if let Some(sp) = speaker {
            (Some(sp), subj.map(|s| s.0))
        } else if passive {
            evidence.push("passive: the subject is the target, the by-phrase the source".into());
            (agent, subj.map(|s| s.0))
        } else {
            if let Some((_, same)) = subj {
                evidence.push(if same {
                    "source: nearest actor before the trigger".into()
                } else {
                    "source: nearest actor before the trigger, across a clause boundary".into()
                });
            }
            if obj.is_some() {
                evidence.push("target: first actor after the trigger in its clause".into());
            }
            (subj.map(|s| s.0), obj)
        };
        // An event needs its doer; only a passive may leave it unnamed ("Ukraine was attacked").
        if source.is_none() && !(passive && target.is_some()) {
            return None;
        }
        let (source, target) = (source, target.filter(|t| source.is_none_or(|s| s.entity != t.entity)));

        // Modality.
        let window = |max: usize, set: &[&str]| -> Option<String> {
            let mut p = h;
            while p > 0 && h - p < max {
                p -= 1;
                if is_boundary(p) || w(p) == "," {
                    break;
                }
                if set.contains(&w(p)) {
                    return Some(w(p).to_string());
                }
            }
            None
        };
        let (mut modality, why) = if let Some(x) = window(4, NEGATION) {
            (Modality::Negated, x)
        } else if sentence_if {
            (Modality::Hypothetical, "if".to_string())
        } else if let Some(x) = window(2, MAYBE) {
            (Modality::Hypothetical, x)
        } else if let Some(x) = window(6, INTENT) {
            (Modality::Announced, x)
        } else if announced_noun && f.pat.code.starts_with("04") {
            (Modality::Announced, "announce".to_string())
        } else {
            (Modality::Happened, String::new())
        };
        if modality != Modality::Happened {
            evidence.push(format!("modality: {} (`{why}`)", modality_name(modality)));
        }
        let mut code = match &f.composed {
            Some(c) => {
                evidence.push(format!("complement: {} with its complement is {c}", f.pat.code));
                self.refined(c, read, &mut evidence)
            }
            None => self.refined(&f.pat.code, read, &mut evidence),
        };
        // CAMEO: announced cooperation is an expression of intent (03x); an announced or
        // conditional hostile act is a threat (13x).
        let intent_word = window(6, INTENT);
        let intends = intent_word.is_some();
        let announced = modality == Modality::Announced;
        let hostile = matches!(&code[..2], "14" | "15" | "16" | "17" | "18" | "19" | "20");
        let word = intent_word.as_deref().unwrap_or(why.as_str());
        if (announced || (modality == Modality::Hypothetical && intends)) && hostile && !ATTEMPT.contains(&word) {
            if PREPARE.contains(&word) && matches!(&code[..2], "18" | "19" | "20") {
                evidence.push(format!("posture: preparing {code} is coded 150 (show of force)"));
                code = "150".to_string();
            } else {
                let t = compose("130", &code).unwrap_or_else(|| "138".to_string());
                evidence.push(format!("threat: announced {code} is coded {t} (threaten)"));
                code = self.refined(&t, read, &mut evidence);
            }
        }
        // An announced or conditional promise ("would meet … if") is an intent as well.
        if (announced || (modality == Modality::Hypothetical && intends))
            && matches!(&code[..2], "04" | "05" | "06" | "07" | "08")
        {
            if let Some(i) = compose("030", &code) {
                evidence.push(format!("intent: announced {code} is coded {i} (express intent)"));
                code = self.refined(&i, read, &mut evidence);
            }
        }
        // "will not accept", "would not meet": a refusal of cooperation is a rejection (12x).
        if modality == Modality::Negated
            && matches!(&code[..2], "03" | "04" | "05" | "06" | "07" | "08")
            && window(6, FUTURE).is_some()
        {
            let r = match code.get(..3) {
                Some("036") => "125".to_string(),
                Some("037") => "127".to_string(),
                Some("038") | Some("039") => "126".to_string(),
                _ if code.starts_with("03") => "120".to_string(),
                _ => compose("120", &code).unwrap_or_else(|| "120".to_string()),
            };
            evidence.push(format!("rejection: refusing {code} is coded {r} (reject)"));
            code = self.refined(&r, read, &mut evidence);
            // Stated now, unless under a condition ("even if … would not meet").
            let mut p = h;
            let mut cond = false;
            while p > 0 && !is_boundary(p - 1) && w(p - 1) != "," {
                p -= 1;
                cond |= w(p) == "if";
            }
            cond |= p > 0 && w(p - 1) == "if";
            modality = if cond { Modality::Hypothetical } else { Modality::Happened };
        }
        let info = self.table.get(&code)?;

        // Place: a place after a locative preposition, nearest to the trigger.
        let used =
            |c: &Cand| source.is_some_and(|s| s.entity == c.entity) || target.is_some_and(|t| t.entity == c.entity);
        let place = cands
            .iter()
            .filter(|c| c.kind == EntityType::Place && !used(c) && before(c).is_some_and(|b| LOCATIVE.contains(&b)))
            .min_by_key(|c| if c.t0 > h { c.t0 - h } else { (h - c.t1) + 1 })
            .map(|c| c.entity);
        // Date: the nearest resolved date or time of the sentence.
        let trig = Span { start: words[h].span.start, end: words[f.end].span.end };
        let date = doc
            .layers
            .timexes
            .iter()
            .enumerate()
            .filter(|(_, t)| t.span.start >= sent.start && t.span.end <= sent.end)
            .filter(|(_, t)| matches!(t.kind, TimexType::Date | TimexType::Time))
            .filter(|(_, t)| t.value.starts_with(|c: char| c.is_ascii_digit()))
            .min_by_key(|(_, t)| {
                if t.span.start >= trig.end {
                    t.span.start - trig.end
                } else {
                    trig.start.saturating_sub(t.span.end)
                }
            })
            .map(|(i, _)| i as u32);

        let actor = |c: &Cand| Actor {
            span: doc.layers.mentions[c.mention].span,
            entity: Some(c.entity),
            code: c.code.clone(),
        };
        let mut confidence: f32 = 0.45;
        if source.is_some() {
            confidence += 0.2;
        }
        if target.is_some() {
            confidence += 0.15;
        }
        if f.pat.elems.len() > 1 {
            confidence += 0.05;
        }
        if subj.is_some_and(|(_, same)| !same) && !passive {
            confidence -= 0.1;
        }
        Some(Event {
            span: sent,
            trigger: trig,
            source: source.map(actor),
            target: target.map(actor),
            code: info.code.clone(),
            root: info.root.clone(),
            plover: info.plover.clone(),
            goldstein: info.goldstein,
            quad_class: info.quad_class,
            modality,
            place,
            date,
            confidence: confidence.clamp(0.05, 0.95),
            evidence,
        })
    }
}

impl EventCoder {
    /// The first sub-code of `code` (`data/refine.tsv`) whose words the sentence holds, refined
    /// again while a rule applies to the sub-code (190 → 183 `bomb` → 1832 `car`).
    fn refined(&self, code: &str, read: &[Vec<String>], evidence: &mut Vec<String>) -> String {
        let mut code = code.to_string();
        'step: for _ in 0..3 {
            for (parent, child, words) in &self.refine {
                if *parent == code {
                    if let Some(w) = read.iter().flatten().find(|r| words.contains(r)) {
                        evidence.push(format!("refine: {code} → {child} (`{w}`)"));
                        code = child.clone();
                        continue 'step;
                    }
                }
            }
            break;
        }
        code
    }
}

/// Matches the rest of `pat` after its head at `h`; returns the end token of the match and,
/// when the last element follows `*`, of its coordinated repeats ("sanctions … and tariffs").
fn try_match(
    pat: &Pattern,
    read: &[Vec<String>],
    h: usize,
    n: usize,
    stop: &dyn Fn(usize) -> bool,
) -> Option<Vec<usize>> {
    let hit = |j: usize, alts: &[String]| read[j].iter().any(|r| alts.iter().any(|a| a == r));
    let mut pos = h;
    for el in &pat.elems[1..] {
        let max = if el.wide { WIDE_GAP } else { crate::patterns::GAP };
        let mut found = None;
        for j in pos + 1..n.min(pos + 2 + max) {
            if stop(j) {
                break;
            }
            if hit(j, &el.alts) {
                found = Some(j);
                break;
            }
        }
        pos = found?;
    }
    let mut ends = vec![pos];
    if let Some(last) = pat.elems.last().filter(|l| l.wide && pat.elems.len() > 1) {
        let mut p = pos;
        'more: loop {
            for j in p + 1..n.min(p + 2 + WIDE_GAP) {
                if stop(j) {
                    break 'more;
                }
                if hit(j, &last.alts) {
                    ends.push(j);
                    p = j;
                    continue 'more;
                }
            }
            break;
        }
    }
    Some(ends)
}

/// A word that may stand between a determiner and its noun: lower-case words other than
/// verbs' auxiliaries and prepositions ("the intense", "a telephone", "an upcoming").
fn is_modifier(w: &str) -> bool {
    w.chars().all(|c| c.is_alphabetic() || c == '-')
        && !PREPS.contains(&w)
        && !BE.contains(&w)
        && !LIGHT.contains(&w)
        && !matches!(w, "and" | "or" | "to" | "of" | "that" | "he" | "she" | "it" | "they" | "we")
}

/// CAMEO's structure: a governing act (intend 030, appeal 020, demand 100, reject 120,
/// threaten 130) with the action it is about names a sub-code: intend + aid 07x → 033x,
/// reject + release 084x → 1243, threaten + sanctions 163 → 1312. `None` when the pair has
/// no code of its own (or the governing code is already specific).
pub(crate) fn compose(gov: &str, comp: &str) -> Option<String> {
    let d = |i: usize| comp.as_bytes().get(i).map(|b| (*b - b'0') as usize);
    let sub = |base: &str, max: usize| -> String {
        match d(2) {
            Some(x) if (1..=max).contains(&x) => format!("{base}{x}"),
            _ => base.to_string(),
        }
    };
    let reform = |base: &str| -> String {
        match d(3) {
            Some(x) if (1..=4).contains(&x) => format!("{base}{x}"),
            _ => base.to_string(),
        }
    };
    let yield_ = |base: &str| -> Option<String> {
        // 081 administrative, 082 dissent, 084 release, 085 economic sanctions,
        // 086 international involvement, 087 de-escalation → the governing code's 1..6.
        let x = match d(2)? {
            1 => 1,
            2 => 2,
            4 => 3,
            5 => 4,
            6 => 5,
            7 => 6,
            _ => return Some(base.to_string()),
        };
        Some(format!("{base}{x}"))
    };
    let root = comp.get(..2)?;
    let three = comp.get(..3).unwrap_or(comp);
    // A promise or vow of a hostile act is a threat.
    if gov == "030" && matches!(root, "14" | "15" | "16" | "17" | "18" | "19" | "20") {
        return compose("130", comp);
    }
    Some(match (gov, root) {
        ("030", "04") => {
            if three == "045" {
                "039".into()
            } else {
                "036".into()
            }
        }
        ("030", "05") => "032".into(),
        ("030", "06") => sub("031", 4),
        ("030", "07") => sub("033", 4),
        ("030", "08") if three == "083" => reform("034"),
        ("030", "08") => yield_("035")?,
        ("020", "04") => {
            if three == "045" {
                "028".into()
            } else {
                "026".into()
            }
        }
        ("020", "05") => "022".into(),
        ("020", "06") => sub("021", 4),
        ("020", "07") => sub("023", 4),
        ("020", "08") if three == "083" => reform("024"),
        ("020", "08") => yield_("025")?,
        // The codebook's numbering: 105 yield, 106 meeting, 107 settlement, 108 mediation.
        ("100", "04") => {
            if three == "045" {
                "108".into()
            } else {
                "106".into()
            }
        }
        ("100", "05") => "102".into(),
        ("100", "06") => sub("101", 4),
        ("100", "07") => sub("103", 4),
        ("100", "08") if three == "083" => reform("104"),
        ("100", "08") => yield_("105")?,
        ("120", "04") => {
            if three == "045" {
                "126".into()
            } else {
                "125".into()
            }
        }
        ("120", "06") => sub("121", 2),
        ("120", "07") => sub("122", 4),
        ("120", "08") if three == "083" => reform("123"),
        ("120", "08") => yield_("124")?,
        ("130", "14") => "133".into(),
        ("130", "16") => match three {
            "161" => "1313".into(),
            "162" => "1311".into(),
            "163" => "1312".into(),
            "164" => "134".into(),
            "165" => "135".into(),
            "166" => "136".into(),
            _ => "131".into(),
        },
        ("130", "17") => match three {
            "172" => reform("132"),
            // Codebook 137: threats to imprison or to clamp down are threats of repression.
            "173" => "137".into(),
            "175" => "137".into(),
            _ => "132".into(),
        },
        ("130", "15") => "138".into(),
        ("130", "18") => "1383".into(),
        ("130", "19") => match three {
            "191" => "1381".into(),
            "192" => "1382".into(),
            _ => "1384".into(),
        },
        ("130", "20") => "1385".into(),
        _ => return None,
    })
}

fn is_adjective_like(w: &str) -> bool {
    matches!(
        w,
        "northern"
            | "southern"
            | "eastern"
            | "western"
            | "central"
            | "northeastern"
            | "northwestern"
            | "southeastern"
            | "southwestern"
            | "occupied"
            | "neighboring"
            | "neighbouring"
            | "capital"
            | "besieged"
    )
}

pub(crate) fn modality_name(m: Modality) -> &'static str {
    match m {
        Modality::Happened => "happened",
        Modality::Announced => "announced",
        Modality::Hypothetical => "hypothetical",
        Modality::Negated => "negated",
    }
}
