import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/scenarios.ts';

/**
 * The layers of docs/architecture.md, lowest first: a folder imports only from folders before it.
 * A change that needs another order changes this list and the picture in the docs together.
 */
const LAYERS = [
  'errors',
  'files',
  'text',
  'results',
  'analysis',
  'gates',
  'scenario',
  'view',
  'export',
  'compare',
  'history',
  'process',
  'record',
  'load',
  'measured-load',
  'platform',
  'deploy',
  'shard',
  'trial',
  'watch',
  'run',
  'live',
  'capacity',
  'init',
  'cli',
];

interface Import {
  from: string;
  to: string;
  /** `import type` / `export type`: needed by the compiler only. */
  typeOnly: boolean;
}

const SRC = path.join(REPO, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.(ts|mts)$/.test(entry.name) ? [file] : [];
  });
}

/** Every relative import of src/, type-only ones included, read by the TypeScript parser. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
    const to = path.relative(SRC, path.resolve(path.dirname(file), specifier.text));
    found.push({ from: path.relative(SRC, file), to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const everyNameTypeOnly =
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(
        node.moduleSpecifier,
        clause?.isTypeOnly === true || (everyNameTypeOnly && clause?.name === undefined),
      );
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const imports = sourceFiles(SRC).flatMap(importsOf);
const folderOf = (file: string) => (file.includes('/') ? (file.split('/')[0] as string) : '.');

/** A cycle in `edges`, as the list of its nodes, or undefined. */
function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    if (!state.has(node)) {
      const cycle = visit(node);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

function graph(pairs: [string, string][]): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const [from, to] of pairs) {
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from)?.add(to);
  }
  return edges;
}

describe('the architecture', () => {
  it('reads the imports it checks', () => {
    // A parser that found nothing would pass every rule below.
    expect(imports.length).toBeGreaterThan(300);
    expect(imports).toContainEqual({
      from: 'export/terminal.ts',
      to: 'analysis/analyse.ts',
      typeOnly: true,
    });
  });

  it('has no import cycle between files, type-only imports included', () => {
    expect(findCycle(graph(imports.map((i) => [i.from, i.to])))).toBeUndefined();
  });

  it('has no import cycle between folders', () => {
    const folders = imports.map((i): [string, string] => [folderOf(i.from), folderOf(i.to)]);
    expect(findCycle(graph(folders))).toBeUndefined();
  });

  it('imports only downwards, in the order of the layers', () => {
    const upwards = imports
      .filter((i) => folderOf(i.from) !== '.' && folderOf(i.from) !== folderOf(i.to))
      .filter((i) => LAYERS.indexOf(folderOf(i.to)) > LAYERS.indexOf(folderOf(i.from)))
      .map((i) => `${i.from} -> ${i.to}`);
    expect(upwards).toEqual([]);
    const folders = new Set(imports.map((i) => folderOf(i.from)));
    folders.delete('.');
    expect([...folders].filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it('keeps results/ low: it needs nothing of the project but errors/, files/ and text/', () => {
    const outside = imports
      .filter(
        (i) =>
          folderOf(i.from) === 'results' &&
          !['results', 'text', 'errors', 'files'].includes(folderOf(i.to)),
      )
      .map((i) => `${i.from} -> ${i.to}`);
    expect(outside).toEqual([]);
  });

  it('keeps files out of run/: it measures and decides, the RunOutput handed in writes', () => {
    const writing = imports
      .filter((i) => folderOf(i.from) === 'run' && folderOf(i.to) === 'export')
      .map((i) => `${i.from} -> ${i.to}`);
    expect(writing).toEqual([]);
  });

  it('leaves ending the process to bin/: commands return their exit code', () => {
    const exiting = sourceFiles(SRC)
      .filter((file) => /\bprocess\.exit\s*\(/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    expect(exiting).toEqual([]);
  });

  it('lets exporters only format: from analysis/ they import types, never a computation', () => {
    const computing = imports
      .filter((i) => folderOf(i.from) === 'export' && folderOf(i.to) === 'analysis' && !i.typeOnly)
      .map((i) => `${i.from} -> ${i.to}`);
    expect(computing).toEqual([]);
  });
});
