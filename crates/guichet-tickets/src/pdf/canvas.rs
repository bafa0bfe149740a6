//! A page under construction: millimetres in, printpdf operations out (y grows upwards).

use std::collections::BTreeSet;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Polygon,
    PolygonRing, Pt, Rect, Rgb, TextItem, WindingOrder,
};
use qrcode::{Color as QrColor, QrCode};

use super::font::{fonts, Face};

const PT_PER_MM: f32 = 72.0 / 25.4;

fn pt(mm: f32) -> Pt {
    Pt(mm * PT_PER_MM)
}

/// Text weight.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Horizontal anchor of a text line.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// Colours the layouts use.
#[derive(Clone, Copy)]
pub(crate) enum Ink {
    Black,
    Grey,
    White,
    Navy,
    Gold,
}

impl Ink {
    fn color(self) -> Color {
        match self {
            Ink::Black => Color::Greyscale(Greyscale::new(0.0, None)),
            Ink::Grey => Color::Greyscale(Greyscale::new(0.38, None)),
            Ink::White => Color::Greyscale(Greyscale::new(1.0, None)),
            Ink::Navy => Color::Rgb(Rgb::new(0.05, 0.11, 0.33, None)),
            Ink::Gold => Color::Rgb(Rgb::new(0.78, 0.64, 0.33, None)),
        }
    }
}

pub(crate) struct Canvas<'g> {
    pub(crate) ops: Vec<Op>,
    regular: FontId,
    bold: FontId,
    /// Characters drawn with each face, for subsetting the fonts once the document is laid out.
    used: &'g mut [BTreeSet<char>; 2],
}

impl<'g> Canvas<'g> {
    pub(crate) fn new(regular: FontId, bold: FontId, used: &'g mut [BTreeSet<char>; 2]) -> Self {
        Canvas {
            ops: Vec::with_capacity(256),
            regular,
            bold,
            used,
        }
    }

    fn face(w: Weight) -> &'static Face {
        match w {
            Weight::Regular => &fonts().regular,
            Weight::Bold => &fonts().bold,
        }
    }

    /// Draws one line of text with its baseline at `y`; if it is wider than `max_w` mm it is
    /// set smaller (down to 70 %), then cut with an ellipsis. Returns the width used, in mm.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        ink: Ink,
        align: Align,
        max_w: f32,
        text: &str,
    ) -> f32 {
        let face = Self::face(weight);
        let max_pt = max_w * PT_PER_MM;
        let mut size = size;
        let min_size = size * 0.7;
        while face.width_pt(text, size) > max_pt && size > min_size {
            size -= 0.25;
        }
        let mut line = text.to_string();
        if face.width_pt(&line, size) > max_pt {
            let mut chars: Vec<char> = text.chars().collect();
            while !chars.is_empty() {
                chars.pop();
                line = chars.iter().collect::<String>().trim_end().to_string() + "…";
                if face.width_pt(&line, size) <= max_pt {
                    break;
                }
            }
        }
        let w_pt = face.width_pt(&line, size);
        let x_pt = match align {
            Align::Left => x * PT_PER_MM,
            Align::Center => x * PT_PER_MM - w_pt / 2.0,
            Align::Right => x * PT_PER_MM - w_pt,
        };
        let (font, used) = match weight {
            Weight::Regular => (self.regular.clone(), &mut self.used[0]),
            Weight::Bold => (self.bold.clone(), &mut self.used[1]),
        };
        used.extend(line.chars());
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFillColor { col: ink.color() },
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x_pt),
                    y: pt(y),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(line)],
            },
            Op::EndTextSection,
        ]);
        w_pt / PT_PER_MM
    }

    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32, ink: Ink) {
        let mut rect = Rect::from_xywh(pt(x), pt(y), pt(w), pt(h));
        rect.mode = Some(PaintMode::Fill);
        self.ops.push(Op::SetFillColor { col: ink.color() });
        self.ops.push(Op::DrawRectangle { rectangle: rect });
    }

    /// A thin line from (x1, y1) to (x2, y2), dashed or not.
    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, ink: Ink, dashed: bool) {
        self.ops.push(Op::SaveGraphicsState);
        self.ops.push(Op::SetOutlineColor { col: ink.color() });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
        if dashed {
            let dash = printpdf::LineDashPattern::new(0.0, &[3.0, 2.0]);
            self.ops.push(Op::SetLineDashPattern { dash });
        }
        let p = |x, y| LinePoint {
            p: Point { x: pt(x), y: pt(y) },
            bezier: false,
        };
        let line = Line {
            points: vec![p(x1, y1), p(x2, y2)],
            is_closed: false,
        };
        self.ops.push(Op::DrawLine { line });
        self.ops.push(Op::RestoreGraphicsState);
    }

    /// The QR code with its lower-left corner at (x, y), `size` mm wide including the four-module
    /// quiet zone, which is painted white so a coloured background cannot eat it. Dark modules
    /// are merged into horizontal runs and drawn as one filled path: fewer operations, no
    /// hairline seams between neighbouring modules.
    pub(crate) fn qr(&mut self, x: f32, y: f32, size: f32, code: &QrCode) {
        const QUIET: usize = 4;
        let n = code.width();
        let module = size / (n + 2 * QUIET) as f32;
        self.fill_rect(x, y, size, size, Ink::White);
        let colors = code.to_colors();
        let mut rings = Vec::new();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] != QrColor::Dark {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && colors[row * n + col] == QrColor::Dark {
                    col += 1;
                }
                let x0 = x + (QUIET + start) as f32 * module;
                let x1 = x + (QUIET + col) as f32 * module;
                let y1 = y + size - (QUIET + row) as f32 * module;
                let y0 = y1 - module;
                let p = |x, y| LinePoint {
                    p: Point { x: pt(x), y: pt(y) },
                    bezier: false,
                };
                rings.push(PolygonRing {
                    points: vec![p(x0, y0), p(x1, y0), p(x1, y1), p(x0, y1)],
                });
            }
        }
        self.ops.push(Op::SetFillColor {
            col: Ink::Black.color(),
        });
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings,
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }
}
