// The words the live script shows come from the page (the <template data-live-labels> of
// liveblog/templates/liveblog/live_page.html), where the server renders them: the blog
// statuses from LiveBlog.Status, the connection states, "N new updates".
//
// A label is named "<group>.<key>"; a counted one has a form per plural category of the
// page's language ("new-updates.one", "new-updates.other") with {count} in it.

export class Labels {
  #texts;
  #plural;
  #number;

  /** `entries`: [name, text] pairs; `locale`: the page's language ("en-GB"). */
  constructor(entries, locale) {
    this.#texts = new Map(entries);
    this.#plural = new Intl.PluralRules(locale || undefined);
    this.#number = new Intl.NumberFormat(locale || undefined);
  }

  /** The label called `name`, or "" when the page has none. */
  text(name) {
    return this.#texts.get(name) ?? "";
  }

  /** The form of counted label `name` for `count`, with the number in it. */
  count(name, count) {
    const form =
      this.#texts.get(`${name}.${this.#plural.select(count)}`) ?? this.#texts.get(`${name}.other`);
    return (form ?? "").replaceAll("{count}", this.#number.format(count));
  }
}

/** The labels in `template` (an element whose content holds [data-label] elements). */
export function readLabels(template, locale) {
  const nodes = template ? template.content.querySelectorAll("[data-label]") : [];
  return new Labels(
    [...nodes].map((node) => [node.dataset.label, node.textContent]),
    locale,
  );
}
