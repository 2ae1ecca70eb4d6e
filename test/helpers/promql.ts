// What a PromQL expression reads, found with Prometheus' own grammar (@prometheus-io/lezer-promql): the
// metric names of its selectors, the labels each selector matches on, and the labels it groups by.
import { parser } from "@prometheus-io/lezer-promql";

export interface PromqlSelector {
  metric: string;
  matchedLabels: string[];
}

export interface PromqlReads {
  selectors: PromqlSelector[];
  groupingLabels: string[];
}

/** Grafana's own variables are not PromQL: give them a value of the right kind before parsing. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}/g, "5m")
    .replace(/\$\{?[A-Za-z_]\w*\}?/g, "grafana_variable");
}

export function readPromql(expr: string): PromqlReads {
  const tree = parser.parse(expr);
  const selectors: PromqlSelector[] = [];
  const groupingLabels: string[] = [];
  const errors: number[] = [];
  const textOf = (from: number, to: number): string => expr.slice(from, to);
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === "VectorSelector") {
        const selector = node.node;
        const name = selector.getChild("Identifier");
        const matchers = selector.getChild("LabelMatchers");
        const matchedLabels = matchers ? matchers.getChildren("UnquotedLabelMatcher").flatMap((m) => m.getChildren("LabelName")).map((l) => textOf(l.from, l.to)) : [];
        if (name) selectors.push({ metric: textOf(name.from, name.to), matchedLabels });
        else throw new Error(`a selector without a metric name in ${expr}: the dashboard should name its series`);
      }
      if (node.name === "GroupingLabels") {
        for (const label of node.node.getChildren("LabelName")) groupingLabels.push(textOf(label.from, label.to));
      }
    },
  });
  if (errors.length > 0) throw new Error(`not valid PromQL at offset ${errors[0]}: ${expr}`);
  return { selectors, groupingLabels };
}

export interface ExposedFamily {
  type: string;
  /** Label names seen on each sample name of the family (e.g. the `_bucket` series carries `le`). */
  labelsBySample: Map<string, Set<string>>;
}

/** The metric families of a Prometheus text exposition, by family name (as in its `# TYPE` lines). */
export function readExposition(text: string): Map<string, ExposedFamily> {
  const families = new Map<string, ExposedFamily>();
  const samples: [string, string[]][] = [];
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) families.set(type[1], { type: type[2], labelsBySample: new Map() });
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (sample?.[1]) samples.push([sample[1], [...(sample[2] ?? "").matchAll(/(\w+)="/g)].map((m) => m[1] ?? "")]);
  }
  for (const [name, labels] of samples) {
    const family = familyOf(families, name);
    if (!family) continue;
    const seen = family[1].labelsBySample.get(name) ?? new Set<string>();
    for (const l of labels) seen.add(l);
    family[1].labelsBySample.set(name, seen);
  }
  return families;
}

const SUFFIXES: Record<string, readonly string[]> = {
  _bucket: ["histogram"],
  _sum: ["histogram", "summary"],
  _count: ["histogram", "summary"],
};

/**
 * The family a series name belongs to: itself when it is a family (counters keep `_total`, a gauge may
 * end in `_count`), else a histogram's `_bucket`/`_sum`/`_count` or a summary's `_sum`/`_count`.
 */
export function familyOf(families: ReadonlyMap<string, ExposedFamily>, series: string): [string, ExposedFamily] | undefined {
  const exact = families.get(series);
  if (exact && exact.type !== "histogram") return [series, exact]; // a bare histogram name has no samples
  for (const [suffix, types] of Object.entries(SUFFIXES)) {
    if (!series.endsWith(suffix)) continue;
    const base = series.slice(0, -suffix.length);
    const family = families.get(base);
    if (family && types.includes(family.type)) return [base, family];
  }
  return undefined;
}
