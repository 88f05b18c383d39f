/** The console's entry: reads config.json, then renders the app (or says why it cannot). */
import { render } from 'preact';
import { App } from './app';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app')!;
try {
  const config = await loadConfig();
  render(<App config={config} />, root);
} catch {
  root.textContent = '无法读取控制台配置（config.json）。';
}
document.documentElement.dataset['ready'] = 'true';
