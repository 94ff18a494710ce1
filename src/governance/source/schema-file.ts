/** A schema file as the governance tools see it: where it lives (relative to the schema dir) and its text. */
export interface SchemaFile {
  /** Path relative to the schema directory, with `/` separators, e.g. `commerce/OrderPlaced.avsc`. */
  readonly path: string;
  readonly text: string;
}

/** `commerce/OrderPlaced.avsc` → `commerce`; top-level files have no domain folder. */
export function domainFolderOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts.length > 1 ? parts[parts.length - 2] : undefined;
}

/** `commerce/OrderPlaced.avsc` → `OrderPlaced`. */
export function baseNameOf(path: string): string {
  const file = path.split('/').pop() ?? path;
  return file.replace(/\.avsc$/, '');
}
