import { createEffect, onCleanup } from 'solid-js';
import { t, type MessageKey } from '../i18n/i18n';

const DEFAULT_DESCRIPTION: MessageKey = 'meta.description';

/**
 * The page's `<title>` and meta description, in the current language (the `<html lang>` follows the language
 * too, see i18n.ts). Called by each route's component; restored to the app's defaults when it leaves.
 */
export function usePageMeta(title: () => string, description: MessageKey = DEFAULT_DESCRIPTION): void {
  createEffect(() => {
    document.title = `${title()} · ${t('app.name')}`;
    descriptionTag().content = t(description);
  });
  onCleanup(() => {
    document.title = t('app.name');
    descriptionTag().content = t(DEFAULT_DESCRIPTION);
  });
}

function descriptionTag(): HTMLMetaElement {
  let tag = document.querySelector<HTMLMetaElement>('meta[name="description"]');
  if (!tag) {
    tag = document.createElement('meta');
    tag.name = 'description';
    document.head.append(tag);
  }
  return tag;
}
