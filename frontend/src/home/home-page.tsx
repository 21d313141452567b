import { createSignal } from 'solid-js';
import type { Effect } from '../api/types';
import { ApplyPanel } from '../effects/apply-panel';
import { EffectGallery } from '../effects/effect-gallery';
import { findEffect } from '../effects/effects-store';
import { t } from '../i18n/i18n';
import { UploadPanel } from '../upload/upload-panel';
import './home-page.css';
import { NextTask } from '../components/next-task';
import { usePageMeta } from '../components/page-meta';

// Remembered across visits to the gallery so "apply another effect" lands where the user left off.
const [selectedEffectId, setSelectedEffectId] = createSignal<string | undefined>();

export default function HomePage() {
  usePageMeta(() => t('meta.homeTitle'));
  const selectedEffect = () => {
    const id = selectedEffectId();
    return id ? findEffect(id) : undefined;
  };

  const handleSelect = (effect: Effect) => {
    setSelectedEffectId(effect.id);
    // On phones the apply step sits above the gallery: bring it into view so the choice has a visible effect.
    if (window.matchMedia('(max-width: 959px)').matches) {
      const heading = document.getElementById('apply-title');
      heading?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      heading?.focus({ preventScroll: true });
    }
  };

  return (
    <div class="home">
      <header class="home__intro">
        <h1>{t('app.tagline')}</h1>
      </header>
      <div class="home__flow">
        <UploadPanel />
        <NextTask>
          <ApplyPanel effect={selectedEffect()} />
        </NextTask>
      </div>
      <NextTask>
        <div class="home__gallery">
          <EffectGallery selectedId={selectedEffectId()} onSelect={handleSelect} />
        </div>
      </NextTask>
    </div>
  );
}
