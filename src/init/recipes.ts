import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A program a recipe runs beyond Node.js, and how to get it. */
export interface RecipeNeed {
  program: string;
  /** Where it comes from: a Debian package, or an npm one. */
  install: string;
}

/**
 * A zero-downtime recipe (examples/recipes/<name>/): a stack's app, its server's config, deploy
 * scripts and one scenario that deploys it the broken way and the fixed way.
 */
export interface Recipe {
  name: string;
  /** The broken way against the fixed way, in a line. */
  summary: string;
  needs: readonly RecipeNeed[];
}

const debian = (program: string, pkg = program): RecipeNeed => ({
  program,
  install: `apt-get install ${pkg}`,
});

export const RECIPES: readonly Recipe[] = [
  {
    name: 'node-graceful',
    summary:
      'a Node.js server that exits at SIGTERM, against one that drains (embedded platform, preboot)',
    needs: [],
  },
  {
    name: 'node-cluster',
    summary: 'every cluster worker killed and forked again, against one worker replaced at a time',
    needs: [],
  },
  {
    name: 'pm2',
    summary: '`pm2 restart` against `pm2 reload` (cluster mode)',
    needs: [{ program: 'pm2', install: 'npm install pm2' }],
  },
  {
    name: 'nginx',
    summary: 'nginx stopped and started around a new upstream, against `nginx -s reload` onto it',
    needs: [debian('nginx')],
  },
  {
    name: 'haproxy',
    summary:
      'haproxy restarted, against a seamless reload; a backend stopped, against one drained first',
    needs: [debian('haproxy'), debian('socat')],
  },
  {
    name: 'caddy',
    summary: 'caddy stopped and started, against `caddy reload`',
    needs: [debian('caddy')],
  },
  {
    name: 'gunicorn',
    summary:
      'gunicorn restarted, against `kill -HUP` and against a new master beside the old (USR2)',
    needs: [debian('gunicorn')],
  },
  {
    name: 'puma',
    summary: 'puma restarted, against a phased restart (SIGUSR1, cluster mode)',
    needs: [debian('puma'), debian('ruby')],
  },
  {
    name: 'unicorn',
    summary: 'unicorn restarted, against USR2 and QUIT of the old master',
    needs: [debian('unicorn'), debian('ruby')],
  },
];

export const RECIPE_NAMES = RECIPES.map((recipe) => recipe.name);

/** examples/recipes/, shipped with the package: the same depth from src/init/ and dist/init/. */
export const RECIPES_FOLDER = fileURLToPath(new URL('../../examples/recipes/', import.meta.url));

export function recipeFolder(name: string): string {
  return path.join(RECIPES_FOLDER, name);
}

/**
 * Copies a recipe's files into `out` (made if missing), keeping their modes (the scripts stay
 * executable). A file already there is refused (`EEXIST`) unless `force`; nothing is written through
 * a link planted under a recipe file's name. Returns the names copied.
 */
export async function copyRecipe(name: string, out: string, force: boolean): Promise<string[]> {
  const from = recipeFolder(name);
  // The package's own files: a failure to read them is not the user's --out.
  const files = (await readdir(from, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  await mkdir(out, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    // mkdir's EEXIST: a file, not a folder, is there. No --force can help with that.
    if (error.code !== 'EEXIST') throw error;
    throw Object.assign(new Error(`${out} is a file, not a folder`), { code: 'ENOTDIR' });
  });
  if (!force) {
    // Checked first, links included (a dangling one too): a refusal leaves the folder as it was.
    for (const file of files) {
      const there = await lstat(path.join(out, file)).then(
        () => true,
        () => false,
      );
      if (there)
        throw Object.assign(new Error(`${path.join(out, file)} exists`), { code: 'EEXIST' });
    }
  }
  for (const file of files) {
    const target = path.join(out, file);
    // Removed, not overwritten: a link under the name goes, its target stays as it was.
    if (force) await rm(target, { force: true });
    await copyFile(path.join(from, file), target, constants.COPYFILE_EXCL);
    await chmod(target, (await stat(path.join(from, file))).mode & 0o777);
  }
  return files;
}
