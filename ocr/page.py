"""Stage 7: the result of reading a page, and its output formats.

A :class:`Page` holds lines, a line holds words, a word holds characters; every
element has a box ``(x0, y0, x1, y1)`` in original image pixels (end exclusive)
and a confidence in [0, 1]. Formats: plain text, JSON, Tesseract's TSV and hOCR.
"""

import json
from dataclasses import dataclass, field

TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _union(boxes):
    boxes = list(boxes)
    if not boxes:
        return (0, 0, 0, 0)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class Char:
    """One recognised character: its text, box, confidence, runner-up, and classifier input."""

    text: str
    box: tuple
    conf: float
    alt: str = ""
    crop: object = field(default=None, repr=False, compare=False)

    def to_dict(self):
        d = {"text": self.text, "box": list(self.box), "conf": round(float(self.conf), 4)}
        if self.alt:
            d["alt"] = self.alt
        return d


@dataclass
class Word:
    """Characters separated from the next word by a wide gap."""

    chars: list

    @property
    def text(self):
        return "".join(c.text for c in self.chars)

    @property
    def box(self):
        return _union(c.box for c in self.chars)

    @property
    def conf(self):
        """The word is as sure as its least sure character."""
        return min((c.conf for c in self.chars), default=0.0)

    def to_dict(self):
        return {"text": self.text, "box": list(self.box), "conf": round(float(self.conf), 4),
                "chars": [c.to_dict() for c in self.chars]}


@dataclass
class Line:
    """One text line, words left to right."""

    words: list

    @property
    def text(self):
        return " ".join(w.text for w in self.words)

    @property
    def box(self):
        return _union(w.box for w in self.words)

    @property
    def conf(self):
        return min((w.conf for w in self.words), default=0.0)

    def to_dict(self):
        return {"text": self.text, "box": list(self.box), "conf": round(float(self.conf), 4),
                "words": [w.to_dict() for w in self.words]}


@dataclass
class Page:
    """A read page.

    Attributes
    ----------
    lines : list of Line
        Top to bottom.
    width, height : int
        Size of the original image (after EXIF rotation), in pixels.
    name : str
        The image's path or name.
    model : str
        Name of the model that classified the characters.
    letter_height : float
        Typical letter height found on the page, in original pixels.
    rotation : int
        0, or the degrees (90, 180, 270, counterclockwise) the image was turned
        to read it, when it was photographed sideways or upside down and carried
        no EXIF orientation. Boxes are always in the original image's pixels.
    """

    lines: list
    width: int
    height: int
    name: str = ""
    model: str = ""
    letter_height: float = 0.0
    rotation: int = 0

    @property
    def text(self):
        """Lines joined by newlines, words by single spaces."""
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self):
        return [w for line in self.lines for w in line.words]

    @property
    def chars(self):
        return [c for w in self.words for c in w.chars]

    def to_text(self):
        return self.text + "\n" if self.lines else ""

    def to_dict(self):
        return {"image": self.name, "width": self.width, "height": self.height,
                "model": self.model, "rotation": self.rotation, "text": self.text,
                "lines": [line.to_dict() for line in self.lines]}

    def to_json(self, indent=2):
        return json.dumps(self.to_dict(), indent=indent) + "\n"

    def tsv_rows(self, page_num=1):
        """Rows of Tesseract's TSV layout (without header) for this page."""
        W, H = self.width, self.height
        rows = [(1, page_num, 0, 0, 0, 0, 0, 0, W, H, -1, "")]
        if self.lines:
            x0, y0, x1, y1 = _union(line.box for line in self.lines)
            rows.append((2, page_num, 1, 0, 0, 0, x0, y0, x1 - x0, y1 - y0, -1, ""))
            rows.append((3, page_num, 1, 1, 0, 0, x0, y0, x1 - x0, y1 - y0, -1, ""))
        for ln, line in enumerate(self.lines, 1):
            x0, y0, x1, y1 = line.box
            rows.append((4, page_num, 1, 1, ln, 0, x0, y0, x1 - x0, y1 - y0, -1, ""))
            for wn, word in enumerate(line.words, 1):
                x0, y0, x1, y1 = word.box
                conf = round(100 * word.conf, 2)
                rows.append((5, page_num, 1, 1, ln, wn, x0, y0, x1 - x0, y1 - y0, conf, word.text))
        return rows

    def to_tsv(self, page_num=1, header=True):
        lines = [TSV_HEADER] if header else []
        lines += ["\t".join(str(v) for v in row) for row in self.tsv_rows(page_num)]
        return "\n".join(lines) + "\n"

    def hocr_page(self, page_num=1):
        """The ``ocr_page`` div of this page, as XHTML text."""
        from html import escape  # only hOCR needs it: html.entities is a big table to import

        def bbox(b):
            return f"bbox {b[0]} {b[1]} {b[2]} {b[3]}"

        name = escape(self.name.replace('"', "'"), quote=True)
        out = [f"  <div class='ocr_page' id='page_{page_num}' "
               f"title='image \"{name}\"; {bbox((0, 0, self.width, self.height))}; ppageno {page_num - 1}'>"]
        if self.lines:
            out.append(f"   <div class='ocr_carea' id='block_{page_num}_1' "
                       f"title='{bbox(_union(line.box for line in self.lines))}'>")
            out.append(f"    <p class='ocr_par' id='par_{page_num}_1' "
                       f"title='{bbox(_union(line.box for line in self.lines))}'>")
            wn = 0
            for ln, line in enumerate(self.lines, 1):
                size = line.box[3] - line.box[1]
                out.append(f"     <span class='ocr_line' id='line_{page_num}_{ln}' "
                           f"title='{bbox(line.box)}; baseline 0 0; x_size {size}"
                           + (f"; textangle {self.rotation}" if self.rotation else "") + "'>")
                for word in line.words:
                    wn += 1
                    out.append(f"      <span class='ocrx_word' id='word_{page_num}_{wn}' "
                               f"title='{bbox(word.box)}; x_wconf {round(100 * word.conf)}'>"
                               f"{escape(word.text)}</span>")
                out.append("     </span>")
            out.append("    </p>")
            out.append("   </div>")
        out.append("  </div>")
        return "\n".join(out)

    def to_hocr(self):
        return pages_to_hocr([self])


def pages_to_hocr(pages):
    """One hOCR (XHTML) document holding several pages."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
        '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
        " <head>\n"
        "  <title></title>\n"
        '  <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n'
        '  <meta name="ocr-system" content="handocr"/>\n'
        '  <meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word"/>\n'
        " </head>\n"
        " <body>\n"
    )
    body = "\n".join(p.hocr_page(i) for i, p in enumerate(pages, 1))
    return head + body + "\n </body>\n</html>\n"
