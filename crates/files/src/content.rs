//! What a file is, decided from its bytes, never from its name or the
//! type the client claims: the first bytes say PDF, JPEG or PNG (the
//! `infer` crate's signatures), and the last bytes must close the format
//! (`%%EOF` for a PDF, the end-of-image marker for a JPEG, the `IEND`
//! chunk for a PNG), so a scan cut short in transfer is refused instead
//! of kept. Checking the end is ours: `infer` only reads the start.

use serde::Serialize;

/// The types a dossier file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
}

impl MediaType {
    /// The MIME type, as stored and sent in `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    /// The usual extension, for a download's file name.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
        }
    }

    /// The type a stored MIME type names.
    pub fn parse(mime: &str) -> Option<MediaType> {
        [MediaType::Pdf, MediaType::Jpeg, MediaType::Png]
            .into_iter()
            .find(|m| m.mime() == mime)
    }
}

/// Bytes read before the type is decided.
const HEAD: usize = 32;
/// Bytes kept from the end to check the format is closed.
const TAIL: usize = 1024;

/// Watches a file's bytes go by, keeping only its first and last bytes.
#[derive(Debug, Default)]
pub struct Inspector {
    head: Vec<u8>,
    kind: Option<MediaType>,
    tail: Vec<u8>,
}

/// Why bytes are not a dossier file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentProblem {
    #[error("the file is {0}; only PDF, JPEG and PNG are accepted")]
    Unsupported(String),
    #[error("the file is empty")]
    Empty,
    #[error("the {0} file is incomplete (cut short before its end); send it again")]
    Truncated(&'static str),
}

impl Inspector {
    /// Takes the next bytes; refuses as soon as the start is known not to
    /// be an accepted type.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), ContentProblem> {
        if self.kind.is_none() && self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            if self.head.len() >= HEAD {
                self.kind = Some(identify(&self.head)?);
            }
        }
        if bytes.len() >= TAIL {
            self.tail.clear();
            self.tail.extend_from_slice(&bytes[bytes.len() - TAIL..]);
        } else {
            self.tail.extend_from_slice(bytes);
            if self.tail.len() > TAIL {
                self.tail.drain(..self.tail.len() - TAIL);
            }
        }
        Ok(())
    }

    /// The type, once every byte went by: refused when empty, of another
    /// type, or cut short.
    pub fn finish(mut self) -> Result<MediaType, ContentProblem> {
        if self.head.is_empty() {
            return Err(ContentProblem::Empty);
        }
        let kind = match self.kind.take() {
            Some(k) => k,
            None => identify(&self.head)?,
        };
        if closed(kind, &self.tail) {
            Ok(kind)
        } else {
            Err(ContentProblem::Truncated(match kind {
                MediaType::Pdf => "PDF",
                MediaType::Jpeg => "JPEG",
                MediaType::Png => "PNG",
            }))
        }
    }
}

fn identify(head: &[u8]) -> Result<MediaType, ContentProblem> {
    match infer::get(head) {
        Some(t) => MediaType::parse(t.mime_type())
            .ok_or_else(|| ContentProblem::Unsupported(t.mime_type().to_string())),
        None => Err(ContentProblem::Unsupported(
            "of a type that is not recognised".into(),
        )),
    }
}

/// Does the end of the bytes close the format?
fn closed(kind: MediaType, tail: &[u8]) -> bool {
    // Scanners and editors pad some files with line ends or zeros.
    let end = tail
        .iter()
        .rposition(|b| !matches!(b, b'\0' | b'\r' | b'\n' | b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    let tail = &tail[..end];
    match kind {
        MediaType::Pdf => tail.windows(5).any(|w| w == b"%%EOF"),
        MediaType::Jpeg => tail.ends_with(&[0xFF, 0xD9]),
        MediaType::Png => tail.ends_with(&[0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn pdf(body: usize) -> Vec<u8> {
        let mut v = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<<>>\nendobj\n".to_vec();
        v.extend(std::iter::repeat_n(b'x', body));
        v.extend_from_slice(b"\ntrailer\n<<>>\n%%EOF\n");
        v
    }

    fn inspect(bytes: &[u8], chunk: usize) -> Result<MediaType, ContentProblem> {
        let mut i = Inspector::default();
        for c in bytes.chunks(chunk.max(1)) {
            i.feed(c)?;
        }
        i.finish()
    }

    #[test]
    fn a_pdf_is_recognised_whatever_the_chunks() {
        let f = pdf(5000);
        for chunk in [1, 7, 31, 32, 33, 1024, 1025, 100_000] {
            assert_eq!(inspect(&f, chunk), Ok(MediaType::Pdf), "chunk {chunk}");
        }
    }

    #[test]
    fn a_pdf_cut_short_is_refused() {
        let f = pdf(5000);
        assert_eq!(
            inspect(&f[..f.len() - 10], 512),
            Err(ContentProblem::Truncated("PDF"))
        );
    }

    #[test]
    fn jpeg_and_png_need_their_end_marker() {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0];
        jpeg.extend(std::iter::repeat_n(7u8, 3000));
        assert_eq!(inspect(&jpeg, 100), Err(ContentProblem::Truncated("JPEG")));
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        assert_eq!(inspect(&jpeg, 100), Ok(MediaType::Jpeg));
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.extend(std::iter::repeat_n(1u8, 100));
        assert_eq!(inspect(&png, 100), Err(ContentProblem::Truncated("PNG")));
        png.extend_from_slice(&[0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]);
        assert_eq!(inspect(&png, 100), Ok(MediaType::Png));
    }

    #[test]
    fn other_types_and_nothing_are_refused() {
        let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip archive here".to_vec();
        assert!(
            matches!(inspect(&zip, 10), Err(ContentProblem::Unsupported(t)) if t.contains("zip"))
        );
        let text = b"just some words, and %%EOF at the end %%EOF".to_vec();
        assert!(matches!(
            inspect(&text, 10),
            Err(ContentProblem::Unsupported(_))
        ));
        assert_eq!(inspect(b"", 10), Err(ContentProblem::Empty));
        // A name saying .pdf changes nothing: the bytes decide.
        assert!(matches!(
            inspect(b"MZ\x90\x00 an exe", 3),
            Err(ContentProblem::Unsupported(_))
        ));
    }
}
