//! The OpenAPI document as the server reads it: which paths and methods
//! exist, which parameters each operation takes, and the schemas of
//! request bodies with their limits. The document is generated from the
//! handlers' annotations, so the limits it states are the limits the
//! server enforces ([`super::guard`], [`super::check`]), never two lists
//! that can drift apart.

use std::sync::OnceLock;

use actix_web::http::Method;
use serde_json::Value;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One path of the document and its operations.
#[derive(Debug)]
struct Route {
    template: String,
    segments: Vec<Segment>,
    methods: Vec<Method>,
}

/// The document, read once.
#[derive(Debug)]
pub struct Spec {
    doc: Value,
    routes: Vec<Route>,
    schemas: super::check::Schemas,
}

/// A request path matched against the document.
#[derive(Debug)]
pub struct PathMatch<'a> {
    /// Every method some template matching the path accepts.
    pub allowed: Vec<Method>,
    spec: &'a Spec,
    /// The matching templates, most specific (fewest parameters) first,
    /// each with the raw (still percent-encoded) values of its parameters.
    candidates: Vec<(&'a Route, Vec<(String, String)>)>,
}

/// An operation: a method on a path template.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    pub spec: &'a Spec,
    pub template: &'a str,
    op: &'a Value,
}

const METHODS: [(&str, Method); 7] = [
    ("get", Method::GET),
    ("post", Method::POST),
    ("put", Method::PUT),
    ("patch", Method::PATCH),
    ("delete", Method::DELETE),
    ("head", Method::HEAD),
    ("options", Method::OPTIONS),
];

fn method_key(m: &Method) -> Option<&'static str> {
    METHODS.iter().find(|(_, x)| x == m).map(|(k, _)| *k)
}

impl Spec {
    pub fn new(doc: Value) -> Spec {
        let mut routes = Vec::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (template, item) in paths {
                let segments = template
                    .split('/')
                    .skip(1)
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_string()),
                            None => Segment::Literal(s.to_string()),
                        },
                    )
                    .collect();
                let methods = METHODS
                    .iter()
                    .filter(|(k, _)| item.get(*k).is_some())
                    .map(|(_, m)| m.clone())
                    .collect();
                routes.push(Route {
                    template: template.clone(),
                    segments,
                    methods,
                });
            }
        }
        let schemas = super::check::Schemas::compile(&doc);
        Spec {
            doc,
            routes,
            schemas,
        }
    }

    /// The component schemas, compiled for checking bodies.
    pub fn schemas(&self) -> &super::check::Schemas {
        &self.schemas
    }

    pub fn doc(&self) -> &Value {
        &self.doc
    }

    /// The templates a request path matches; `None` when it matches none.
    pub fn find(&self, path: &str) -> Option<PathMatch<'_>> {
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        let mut candidates = Vec::new();
        for route in &self.routes {
            if route.segments.len() != parts.len() {
                continue;
            }
            let mut params = Vec::new();
            let matched = route
                .segments
                .iter()
                .zip(&parts)
                .all(|(seg, part)| match seg {
                    Segment::Literal(l) => l == part,
                    Segment::Param(name) => {
                        params.push((name.clone(), (*part).to_string()));
                        !part.is_empty()
                    }
                });
            if matched {
                candidates.push((route, params));
            }
        }
        if candidates.is_empty() {
            return None;
        }
        candidates.sort_by_key(|(_, p)| p.len());
        let mut allowed: Vec<Method> = Vec::new();
        for (route, _) in &candidates {
            for m in &route.methods {
                if !allowed.contains(m) {
                    allowed.push(m.clone());
                }
            }
        }
        Some(PathMatch {
            allowed,
            spec: self,
            candidates,
        })
    }

    /// Follows a `$ref` to the schema it names.
    pub fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        for _ in 0..16 {
            match s.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix("#/components/schemas/") {
                    Some(name) => s = &self.doc["components"]["schemas"][name],
                    None => return s,
                },
                None => return s,
            }
        }
        s
    }

    /// A named schema of the document's components.
    pub fn component(&self, name: &str) -> Option<&Value> {
        self.doc["components"]["schemas"].get(name)
    }
}

impl<'a> PathMatch<'a> {
    /// The operation for `method`, with the raw values of its path
    /// parameters.
    pub fn operation(&self, method: &Method) -> Option<(Operation<'a>, &[(String, String)])> {
        let key = method_key(method)?;
        self.candidates.iter().find_map(|(route, params)| {
            let op = self.spec.doc["paths"][&route.template].get(key)?;
            Some((
                Operation {
                    spec: self.spec,
                    template: &route.template,
                    op,
                },
                params.as_slice(),
            ))
        })
    }
}

impl<'a> Operation<'a> {
    /// The declared parameter `name` in `location` (`path` or `query`).
    pub fn parameter(&self, location: &str, name: &str) -> Option<&'a Value> {
        self.op["parameters"]
            .as_array()?
            .iter()
            .find(|p| p["in"].as_str() == Some(location) && p["name"].as_str() == Some(name))
    }

    /// The names of the parameters in `location` a request must give.
    pub fn required(&self, location: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(move |p| p["in"].as_str() == Some(location) && p["required"] == true)
            .filter_map(|p| p["name"].as_str())
    }

    pub fn has_body(&self) -> bool {
        self.op.get("requestBody").is_some()
    }
}

/// The document this server was built with.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(crate::openapi::document()))
}

/// The methods a path accepts, for an `Allow` header.
pub fn allow_header(methods: &[Method]) -> String {
    let mut names: Vec<&str> = methods.iter().map(Method::as_str).collect();
    if methods.contains(&Method::GET) && !methods.contains(&Method::HEAD) {
        names.push("HEAD");
    }
    if !methods.contains(&Method::OPTIONS) {
        names.push("OPTIONS");
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Spec {
        Spec::new(json!({
            "paths": {
                "/api/v1/calendar/{year}": {"get": {"parameters": [{"name": "year", "in": "path"}]}},
                "/api/v1/calendar/due-date": {"post": {"requestBody": {}}},
                "/api/v1/dossiers/{code}": {"get": {}},
            },
            "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "string"}}}
        }))
    }

    #[test]
    fn matches_literals_before_parameters() {
        let s = sample();
        let m = s.find("/api/v1/calendar/due-date").unwrap();
        assert_eq!(m.allowed, [Method::POST, Method::GET]);
        let (op, params) = m.operation(&Method::POST).unwrap();
        assert_eq!(op.template, "/api/v1/calendar/due-date");
        assert!(params.is_empty());
        let (op, params) = m.operation(&Method::GET).unwrap();
        assert_eq!(op.template, "/api/v1/calendar/{year}");
        assert_eq!(params, [("year".to_string(), "due-date".to_string())]);
        assert!(m.operation(&Method::DELETE).is_none());
    }

    #[test]
    fn unknown_paths_and_empty_segments_do_not_match() {
        let s = sample();
        assert!(s.find("/api/v1/nothing").is_none());
        assert!(s.find("/api/v1/dossiers/").is_none());
        assert!(s.find("/api/v1/dossiers/X/extra").is_none());
    }

    #[test]
    fn resolves_references_and_builds_allow() {
        let s = sample();
        let a = s.component("A").unwrap();
        assert_eq!(s.resolve(a)["type"], "string");
        assert_eq!(allow_header(&[Method::GET]), "GET, HEAD, OPTIONS");
    }
}
