//! A one-page, text-only PDF (Helvetica, WinAnsi) for the Z report. Small on purpose: ticket
//! and order layouts (QR codes, branding) belong to the tickets crate, which may take this
//! report over too.

/// WinAnsi byte for a character; what the encoding lacks becomes `?`.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '€' => 0x80,
        '—' => 0x97,
        '–' => 0x96,
        '’' => 0x92,
        '\u{a0}' | '\u{202f}' => b' ',
        c if ('\u{a1}'..='\u{ff}').contains(&c) => c as u32 as u8,
        _ => b'?',
    }
}

/// Renders lines of text on an A4 page, 11 pt, top to bottom.
pub fn text_page(title: &str, lines: &[String]) -> Vec<u8> {
    let mut content = Vec::new();
    content.extend_from_slice(b"BT /F1 16 Tf 50 790 Td 18 TL (");
    push_text(&mut content, title);
    content.extend_from_slice(b") Tj /F1 11 Tf T* T*");
    for l in lines {
        content.extend_from_slice(b" (");
        push_text(&mut content, l);
        content.extend_from_slice(b") Tj T*");
    }
    content.extend_from_slice(b" ET");

    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let objects: [Vec<u8>; 5] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
            content,
            b"\nendstream".to_vec(),
        ]
        .concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn push_text(out: &mut Vec<u8>, s: &str) {
    for c in s.chars() {
        let b = win_ansi(c);
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
}

/// The text lines of a PDF made by [`text_page`], decoded back (for tests: the meaning of the
/// document, not its bytes).
pub fn text_lines(pdf: &[u8]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut i = 0;
    while i < pdf.len() {
        if pdf[i] == b'(' {
            let mut s = String::new();
            i += 1;
            while i < pdf.len() && pdf[i] != b')' {
                let b = if pdf[i] == b'\\' {
                    i += 1;
                    pdf[i]
                } else {
                    pdf[i]
                };
                s.push(match b {
                    0x80 => '€',
                    0x97 => '—',
                    0x96 => '–',
                    0x92 => '’',
                    b => b as char,
                });
                i += 1;
            }
            lines.push(s);
        }
        i += 1;
    }
    lines
}
