/**
 * Split one CSV line into fields (RFC 4180 quoting: `"a,b"`, `""` for a quote). Fields are not
 * trimmed. Returns undefined when a quote is left open.
 */
export function splitCsvLine(line: string, separator = ','): string[] | undefined {
  if (!line.includes('"')) return line.split(separator);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === separator) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) return undefined;
  out.push(field);
  return out;
}

/** Quote a CSV field when it needs it. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Split text into lines, accepting LF, CRLF and CR-only line ends (ISMN files mix them). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
