//! From tokens to a compiled [`Expr`]: precedence, field names resolved to
//! indexes, regexes compiled, and every limit that bounds the work.
//!
//! ```text
//! or    := and (("or" | "||") and)*
//! and   := unary (("and" | "&&") unary)*
//! unary := ("not" | "!") unary | "(" or ")" | FIELD OP VALUE
//! ```

use regex::bytes::RegexBuilder;

use super::error::FilterError;
use super::eval::{Cmp, Expr, Test, Value};
use super::lexer::{tokenize, Kind, Op, Token};
use super::FilterScope;
use kismet_protocol::decode::FieldDecoder;
use kismet_protocol::nearest;
use kismet_protocol::text::display;

/// Longest expression accepted, in bytes.
pub(crate) const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses and `not` accepted.
pub(crate) const MAX_DEPTH: usize = 64;
/// Most regular expressions in one filter.
pub(crate) const MAX_REGEXES: usize = 32;
/// Largest compiled size of one regular expression, in bytes.
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// An expression compiled for a list of fields.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The compiled expression.
    pub expr: Expr,
    /// Indexes of the fields it uses, in order of first use.
    pub used: Vec<usize>,
}

/// Compiles `expr` for frames whose fields are `fields`, of the protocol
/// and capability list `scope` names.
///
/// # Errors
/// A [`FilterError`] for the first problem found, pointing at its token.
pub(crate) fn parse(
    expr: &str,
    fields: &[String],
    scope: &FilterScope<'_>,
) -> Result<Parsed, FilterError> {
    if expr.len() > MAX_LEN {
        let mut at = MAX_LEN;
        while !expr.is_char_boundary(at) {
            at -= 1;
        }
        return Err(FilterError::new(
            format!(
                "filter too long ({} bytes; the limit is {MAX_LEN})",
                expr.len()
            ),
            at,
            expr.len() - at,
        ));
    }
    let tokens = tokenize(expr)?;
    if tokens.is_empty() {
        return Err(FilterError::new("empty filter", 0, expr.len()));
    }
    let mut p = Parser {
        expr,
        fields,
        scope,
        tokens,
        pos: 0,
        depth: 0,
        regexes: 0,
        used: Vec::new(),
    };
    let e = p.or()?;
    if let Some(t) = p.peek() {
        return Err(p.trailing(t, false));
    }
    Ok(Parsed {
        expr: e,
        used: p.used,
    })
}

/// A recursive descent over the tokens; recursion is bounded by
/// [`MAX_DEPTH`], and `and`/`or` chains are loops, not recursion.
struct Parser<'a> {
    expr: &'a str,
    fields: &'a [String],
    scope: &'a FilterScope<'a>,
    tokens: Vec<Token>,
    pos: usize,
    /// Parentheses and `not`s open around the current token.
    depth: usize,
    /// Regular expressions compiled so far.
    regexes: usize,
    used: Vec<usize>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    /// The next token, moving past it.
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += usize::from(t.is_some());
        t
    }

    fn is_or(&self, t: &Token) -> bool {
        t.kind == Kind::Or || t.is_word(self.expr, "or")
    }

    fn is_and(&self, t: &Token) -> bool {
        t.kind == Kind::And || t.is_word(self.expr, "and")
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.and()?];
        while self.peek().is_some_and(|t| self.is_or(t)) {
            self.pos += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Any(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut terms = vec![self.unary()?];
        while self.peek().is_some_and(|t| self.is_and(t)) {
            self.pos += 1;
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::All(terms)
        })
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        let Some(t) = self.next() else {
            return Err(self.missing("a field name"));
        };
        let is_not = t.kind == Kind::Not || t.is_word(self.expr, "not");
        if is_not || t.kind == Kind::Open {
            if self.depth >= MAX_DEPTH {
                return Err(FilterError::new(
                    format!("nesting deeper than {MAX_DEPTH} levels"),
                    t.start,
                    t.len,
                ));
            }
            self.depth += 1;
            let e = if is_not {
                Expr::Not(Box::new(self.unary()?))
            } else {
                let e = self.or()?;
                match self.next() {
                    Some(c) if c.kind == Kind::Close => {}
                    Some(c) => return Err(self.trailing(&c, true)),
                    None => return Err(FilterError::new("unclosed \"(\"", t.start, t.len)),
                }
                e
            };
            self.depth -= 1;
            return Ok(e);
        }
        if t.kind != Kind::Word || self.is_and(&t) || self.is_or(&t) {
            return Err(unexpected(self.expr, &t));
        }
        // `raw(FIELD)`: the field's value as sent, never decoded.
        if t.is_word(self.expr, "raw") && self.peek().is_some_and(|n| n.kind == Kind::Open) {
            self.pos += 1;
            let field = match self.next() {
                Some(f) if f.kind == Kind::Word => f,
                Some(f) => {
                    return Err(FilterError::new(
                        "expected a field name in raw(...)",
                        f.start,
                        f.len,
                    ))
                }
                None => return Err(self.missing("a field name in raw(...)")),
            };
            match self.next() {
                Some(c) if c.kind == Kind::Close => {}
                Some(c) => {
                    return Err(FilterError::new(
                        "expected \")\" after the field name",
                        c.start,
                        c.len,
                    ))
                }
                None => return Err(self.missing("\")\" after raw(FIELD")),
            }
            return self.comparison(&field, false).map(Expr::Cmp);
        }
        self.comparison(&t, true).map(Expr::Cmp)
    }

    /// `FIELD OP VALUE`, the field's token already read; `decode`: a field
    /// whose number stands for a name compares the name with a word.
    fn comparison(&mut self, field: &Token, decode: bool) -> Result<Cmp, FilterError> {
        let index = self.field_index(field)?;
        let op = match self.next() {
            Some(Token {
                kind: Kind::Op(op), ..
            }) => op,
            Some(t) => {
                return Err(FilterError::new(
                    format!("expected an operator after {}", field.describe(self.expr)),
                    t.start,
                    t.len,
                ))
            }
            None => return Err(self.missing("an operator")),
        };
        let value = match self.next() {
            Some(t) => match &t.kind {
                Kind::Word => (t.text(self.expr).to_string(), t),
                Kind::Str(s) => (s.clone(), t),
                _ => {
                    let prev = &self.tokens[self.pos - 2];
                    return Err(FilterError::new(
                        format!("expected a value after {}", prev.describe(self.expr)),
                        t.start,
                        t.len,
                    ));
                }
            },
            None => return Err(self.missing("a value")),
        };
        let test = match op {
            Op::Match | Op::NotMatch => self.regex(&value.0, &value.1, op == Op::Match)?,
            _ => Test::Order(op, Value::new(&value.0)),
        };
        let name = &self.fields[index];
        let decoder = self
            .scope
            .protocol
            .and_then(|p| FieldDecoder::for_field(p, name))
            .filter(|_| decode && !test.is_numeric());
        Ok(Cmp {
            index,
            ssid: name.eq_ignore_ascii_case("ssid"),
            decoder,
            test,
        })
    }

    /// The index of the field `t` names, recorded as used.
    fn field_index(&mut self, t: &Token) -> Result<usize, FilterError> {
        let name = t.text(self.expr);
        if let Some(i) = self
            .fields
            .iter()
            .position(|f| f.eq_ignore_ascii_case(name))
        {
            if !self.used.contains(&i) {
                self.used.push(i);
            }
            return Ok(i);
        }
        // A field of the protocol that is not enabled: say how to enable it.
        if let Some(known) = self
            .scope
            .all_fields
            .iter()
            .find(|f| f.eq_ignore_ascii_case(name))
        {
            let mut with: Vec<&str> = self.fields.iter().map(String::as_str).collect();
            with.push(known);
            let proto = self.scope.protocol.unwrap_or("PROTO");
            return Err(FilterError::new(
                format!(
                    "field \"{known}\" is not enabled; enable it first: enable {proto} {}",
                    with.join(",")
                ),
                t.start,
                t.len,
            ));
        }
        Err(FilterError::new(
            unknown_field(name, self.fields),
            t.start,
            t.len,
        ))
    }

    /// Compiles the pattern of a `~` or `!~` comparison.
    fn regex(&mut self, pattern: &str, t: &Token, want: bool) -> Result<Test, FilterError> {
        if self.regexes >= MAX_REGEXES {
            return Err(FilterError::new(
                format!("too many regular expressions (the limit is {MAX_REGEXES})"),
                t.start,
                t.len,
            ));
        }
        self.regexes += 1;
        let re = RegexBuilder::new(pattern)
            .unicode(true)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| FilterError::new(regex_message(&e), t.start, t.len))?;
        Ok(Test::Regex(re, want))
    }

    /// "expected X after Y" at the end of the expression, Y being the last
    /// token; the range is empty, just past the end.
    fn missing(&self, what: &str) -> FilterError {
        let at = self.expr.trim_end().len();
        match self.tokens.last() {
            Some(last) => FilterError::new(
                format!("expected {what} after {}", last.describe(self.expr)),
                at,
                0,
            ),
            None => FilterError::new("empty filter", 0, self.expr.len()),
        }
    }

    /// `t` follows a complete comparison but is neither `and`, `or` nor a
    /// `)` that closes a group.
    fn trailing(&self, t: &Token, in_group: bool) -> FilterError {
        if t.kind == Kind::Close {
            return unexpected(self.expr, t);
        }
        let expected = if in_group {
            "\"and\", \"or\" or \")\""
        } else {
            "\"and\" or \"or\""
        };
        FilterError::new(
            format!("expected {expected} before {}", t.describe(self.expr)),
            t.start,
            t.len,
        )
    }
}

/// `unexpected ")"`.
fn unexpected(expr: &str, t: &Token) -> FilterError {
    FilterError::new(format!("unexpected {}", t.describe(expr)), t.start, t.len)
}

/// `unknown field "sssid" (did you mean ssid?); fields: ssid, mac`, the
/// nearest names first, then the others in order.
fn unknown_field(name: &str, fields: &[String]) -> String {
    let near = nearest(name, fields.iter().map(String::as_str));
    let mut msg = format!("unknown field \"{}\"", display(name.as_bytes()));
    if !near.is_empty() {
        msg.push_str(&format!(" (did you mean {}?)", near.join(", ")));
    }
    if fields.is_empty() {
        msg.push_str("; no fields are enabled");
        return msg;
    }
    let rest = fields.iter().filter(|f| !near.contains(f));
    let all: Vec<&str> = near
        .iter()
        .map(String::as_str)
        .chain(rest.map(String::as_str))
        .collect();
    msg.push_str("; fields: ");
    msg.push_str(&all.join(", "));
    msg
}

/// The one-line message for a regex that did not compile.
fn regex_message(e: &regex::Error) -> String {
    match e {
        regex::Error::CompiledTooBig(limit) => {
            format!("regular expression too large (over the compiled size limit of {limit} bytes)")
        }
        // The syntax message spans lines (the pattern, carets, then
        // "error: ..."); the last line says what is wrong.
        regex::Error::Syntax(s) => {
            let what = s
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or(s.as_str());
            format!("invalid regular expression: {}", display(what.as_bytes()))
        }
        other => format!(
            "invalid regular expression: {}",
            display(other.to_string().as_bytes())
        ),
    }
}
