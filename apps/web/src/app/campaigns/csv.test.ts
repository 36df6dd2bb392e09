import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it("quotes cells with commas, quotes, line breaks or edge spaces, and ends lines with CRLF", () => {
    expect(
      toCsv(
        ["name", "clicks"],
        [
          ['Acme, "Spring"', 3],
          ["line\nbreak", 0],
          [" padded", null],
          ["plain", true],
        ],
      ),
    ).toBe(
      'name,clicks\r\n"Acme, ""Spring""",3\r\n"line\nbreak",0\r\n" padded",\r\nplain,true\r\n',
    );
  });
});
