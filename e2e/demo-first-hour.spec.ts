/**
 * Two traps a new user hit in the demo: a room name with a space left a blank
 * page (the error only in the console), and "+ Add note" kept the keyboard,
 * so a space pressed to type added another note.
 */
import { expect, test } from './fixtures.js';

test('a bad ?room= shows the reason on the page', async ({ page, demo }) => {
  await page.goto(`${demo.pageUrl}?room=team%20standup`);
  const alert = page.locator('murmur-demo').getByRole('alert');
  await expect(alert).toContainText('Cannot join this room');
  await expect(alert).toContainText('team standup');
});

test('"+ Add note" puts the keyboard in the new note', async ({ page, demo }) => {
  await page.goto(`${demo.pageUrl}?room=focus-${Date.now()}&name=Ann`);
  await page.locator('button[data-action="add"]').click();
  const note = page.locator('murmur-board textarea');
  await expect(note).toHaveCount(1);
  await expect(note).toBeFocused();
  await page.keyboard.type('hi there');
  await expect(note).toHaveValue('hi there');
  await expect(page.locator('murmur-board textarea')).toHaveCount(1);
});
