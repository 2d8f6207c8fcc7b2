import { expect } from 'chai';
import {
  layoutSeats,
  moveFrom,
  moveOfKey,
  seatPartOf,
  type GridSeat,
} from '../../web/src/events/seat-grid.js';

/** A cabin like the seeded flight's: 2-2 business rows (no B or E), 3-3 economy rows, aisle at column 3. */
const COLUMN: Record<string, number> = { A: 0, B: 1, C: 2, D: 4, E: 5, F: 6 };
function cabin(): GridSeat[] {
  const seats: GridSeat[] = [];
  for (let row = 1; row <= 4; row++) {
    const letters = row <= 2 ? ['A', 'C', 'D', 'F'] : ['A', 'B', 'C', 'D', 'E', 'F'];
    for (const l of letters)
      seats.push({ label: `${row}${l}`, row: String(row), x: COLUMN[l] as number, y: row - 1 });
  }
  return seats.reverse();
}

describe('the seat map grid (web/src/events/seat-grid.ts)', () => {
  it('lays seats out in rows left to right, with the columns and gaps the map needs', () => {
    const grid = layoutSeats([...cabin(), { label: 'X1', row: 'X', x: 2, y: 7 }]);
    expect(grid.rows.map((r) => r.row)).to.deep.equal(['1', '2', '3', '4', 'X']);
    expect(grid.rows[0]?.seats.map((s) => s.label)).to.deep.equal(['1A', '1C', '1D', '1F']);
    expect(grid.rows.map((r) => r.gapBefore)).to.deep.equal([0, 0, 0, 0, 3]);
    expect(grid.minX).to.equal(0);
    expect(grid.columns).to.equal(7);
  });

  it('moves along a row across the aisle, and stops at its ends', () => {
    const grid = layoutSeats(cabin());
    expect(moveFrom(grid, '3C', 'right')?.label).to.equal('3D');
    expect(moveFrom(grid, '3D', 'left')?.label).to.equal('3C');
    expect(moveFrom(grid, '3F', 'right')?.label).to.equal('3F');
    expect(moveFrom(grid, '3A', 'left')?.label).to.equal('3A');
    expect(moveFrom(grid, '3C', 'rowStart')?.label).to.equal('3A');
    expect(moveFrom(grid, '3C', 'rowEnd')?.label).to.equal('3F');
  });

  it('moves up and down to the nearest seat of the next row, and stops at the first and last rows', () => {
    const grid = layoutSeats(cabin());
    expect(moveFrom(grid, '3B', 'up')?.label).to.equal('2A');
    expect(moveFrom(grid, '3E', 'up')?.label).to.equal('2D');
    expect(moveFrom(grid, '2C', 'down')?.label).to.equal('3C');
    expect(moveFrom(grid, '1A', 'up')?.label).to.equal('1A');
    expect(moveFrom(grid, '4F', 'down')?.label).to.equal('4F');
    expect(moveFrom(grid, '1D', 'pageDown')?.label).to.equal('4D');
    expect(moveFrom(grid, '4D', 'pageUp')?.label).to.equal('1D');
    expect(moveFrom(grid, '3C', 'first')?.label).to.equal('1A');
    expect(moveFrom(grid, '3C', 'last')?.label).to.equal('4F');
    expect(moveFrom(grid, 'nope', 'up')).to.equal(undefined);
  });

  it('maps keys to moves and leaves the others alone', () => {
    const k = (key: string, ctrlKey = false) => moveOfKey({ key, ctrlKey, metaKey: false });
    expect(
      ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'PageUp', 'PageDown'].map((key) => k(key)),
    ).to.deep.equal(['left', 'right', 'up', 'down', 'pageUp', 'pageDown']);
    expect([k('Home'), k('End'), k('Home', true), k('End', true)]).to.deep.equal([
      'rowStart',
      'rowEnd',
      'first',
      'last',
    ]);
    expect([k(' '), k('Enter'), k('Tab')]).to.deep.equal([null, null, null]);
  });

  it('names the seat within its row', () => {
    expect(seatPartOf('12C', '12')).to.equal('C');
    expect(seatPartOf('F-A-7', 'F-A')).to.equal('7');
    expect(seatPartOf('A1', 'A')).to.equal('1');
    expect(seatPartOf('VIP', '')).to.equal('VIP');
    expect(seatPartOf('B', 'B')).to.equal('B');
  });
});
