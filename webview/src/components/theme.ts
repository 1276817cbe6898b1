/**
 * VS Code theme colours for canvas drawing (chart.js cannot read CSS variables itself), and a
 * hook to redraw when the user switches between light, dark and high-contrast themes.
 */

export function themeColor(variable: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(variable).trim();
  return value || fallback;
}

export function isHighContrast(): boolean {
  return (
    document.body.classList.contains('vscode-high-contrast') ||
    document.body.classList.contains('vscode-high-contrast-light')
  );
}

/** The palette the charts use, read from the current theme. */
export function chartPalette() {
  return {
    foreground: themeColor('--vscode-foreground', '#cccccc'),
    muted: themeColor('--vscode-descriptionForeground', '#999999'),
    grid: themeColor('--vscode-editorWidget-border', 'rgba(128,128,128,0.25)'),
    series: [
      themeColor('--vscode-charts-blue', '#3794ff'),
      themeColor('--vscode-charts-orange', '#d18616'),
      themeColor('--vscode-charts-green', '#89d185'),
      themeColor('--vscode-charts-purple', '#b180d7'),
      themeColor('--vscode-charts-red', '#f14c4c'),
      themeColor('--vscode-charts-yellow', '#cca700'),
    ],
    lineWidth: isHighContrast() ? 2.5 : 1.5,
    font: themeColor('--vscode-font-family', 'sans-serif'),
  };
}

export type ChartPalette = ReturnType<typeof chartPalette>;

/** Calls `onChange` when VS Code switches the theme (it changes the body's classes). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(() => onChange()).observe(document.body, {
    attributes: true,
    attributeFilter: ['class'],
  });
}
