(import "m" "mem" (memory 1))
(func $scan (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 v128 v128 v128)
  local.get 9
  i32.const 7
  i32.shr_u
  local.set 26
  local.get 4
  local.get 5
  i32.const 4
  i32.shl
  i32.add
  local.set 30
  local.get 6
  local.set 21
  block
    loop
      local.get 21
      local.get 7
      i32.gt_s
      br_if 1
      local.get 21
      local.get 13
      i32.mul
      i32.const 2
      i32.shl
      local.set 22
      local.get 21
      local.get 10
      i32.sub
      local.get 16
      i32.add
      local.get 15
      i32.mul
      local.get 11
      i32.sub
      local.get 16
      i32.add
      local.set 23
      local.get 21
      local.get 12
      i32.mul
      local.set 24
      local.get 8
      i32.const 7
      i32.shr_u
      local.set 25
      local.get 19
      local.set 27
      block
        loop
          local.get 25
          local.get 26
          i32.gt_s
          br_if 1
          local.get 22
          local.get 25
          i32.const 4
          i32.shl
          i32.add
          local.set 28
          local.get 27
          v128.load align=16
          local.set 40
          local.get 40
          local.set 41
          local.get 4
          local.set 29
          block
            loop
              local.get 29
              local.get 30
              i32.ge_u
              br_if 1
              local.get 40
              local.get 28
              local.get 29
              i32.load align=4
              i32.add
              v128.load align=16
              local.get 28
              local.get 29
              i32.load offset=4 align=4
              i32.add
              v128.load align=16
              v128.andnot
              v128.and
              local.set 40
              local.get 41
              local.get 28
              local.get 29
              i32.load offset=8 align=4
              i32.add
              v128.load align=16
              local.get 28
              local.get 29
              i32.load offset=12 align=4
              i32.add
              v128.load align=16
              v128.andnot
              v128.and
              local.set 41
              local.get 29
              i32.const 16
              i32.add
              local.set 29
              br 0
            end
          end
          local.get 40
          v128.any_true
          if
            local.get 40
            i32x4.extract_lane 0
            local.tee 31
            if
              local.get 41
              i32x4.extract_lane 0
              local.set 32
              local.get 25
              i32.const 2
              i32.shl
              i32.const 0
              i32.add
              local.set 39
              local.get 31
              local.get 32
              i32.const -1
              i32.xor
              i32.and
              i32.eqz
              if
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 24
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    i32.const 1
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              else
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 24
                    local.get 38
                    i32.add
                    local.set 34
                    i32.const 1
                    local.set 35
                    local.get 32
                    local.get 33
                    i32.and
                    i32.eqz
                    if
                      local.get 1
                      local.get 34
                      local.get 14
                      i32.mul
                      i32.const 2
                      i32.shl
                      i32.add
                      local.set 37
                      i32.const 0
                      local.set 36
                      v128.const 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255
                      local.set 42
                      block
                        loop
                          local.get 36
                          local.get 14
                          i32.ge_u
                          br_if 1
                          local.get 42
                          local.get 37
                          local.get 36
                          i32.const 2
                          i32.shl
                          i32.add
                          v128.load64_zero align=8
                          f64x2.promote_low_f32x4
                          local.get 3
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.sub
                          f64x2.abs
                          local.get 2
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.lt
                          v128.and
                          local.set 42
                          local.get 36
                          i32.const 2
                          i32.add
                          local.set 36
                          br 0
                        end
                      end
                      local.get 42
                      i32x4.all_true
                      local.set 35
                    end
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 34
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    local.get 35
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              end
            end
            local.get 40
            i32x4.extract_lane 1
            local.tee 31
            if
              local.get 41
              i32x4.extract_lane 1
              local.set 32
              local.get 25
              i32.const 2
              i32.shl
              i32.const 1
              i32.add
              local.set 39
              local.get 31
              local.get 32
              i32.const -1
              i32.xor
              i32.and
              i32.eqz
              if
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 24
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    i32.const 1
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              else
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 24
                    local.get 38
                    i32.add
                    local.set 34
                    i32.const 1
                    local.set 35
                    local.get 32
                    local.get 33
                    i32.and
                    i32.eqz
                    if
                      local.get 1
                      local.get 34
                      local.get 14
                      i32.mul
                      i32.const 2
                      i32.shl
                      i32.add
                      local.set 37
                      i32.const 0
                      local.set 36
                      v128.const 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255
                      local.set 42
                      block
                        loop
                          local.get 36
                          local.get 14
                          i32.ge_u
                          br_if 1
                          local.get 42
                          local.get 37
                          local.get 36
                          i32.const 2
                          i32.shl
                          i32.add
                          v128.load64_zero align=8
                          f64x2.promote_low_f32x4
                          local.get 3
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.sub
                          f64x2.abs
                          local.get 2
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.lt
                          v128.and
                          local.set 42
                          local.get 36
                          i32.const 2
                          i32.add
                          local.set 36
                          br 0
                        end
                      end
                      local.get 42
                      i32x4.all_true
                      local.set 35
                    end
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 34
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    local.get 35
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              end
            end
            local.get 40
            i32x4.extract_lane 2
            local.tee 31
            if
              local.get 41
              i32x4.extract_lane 2
              local.set 32
              local.get 25
              i32.const 2
              i32.shl
              i32.const 2
              i32.add
              local.set 39
              local.get 31
              local.get 32
              i32.const -1
              i32.xor
              i32.and
              i32.eqz
              if
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 24
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    i32.const 1
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              else
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 24
                    local.get 38
                    i32.add
                    local.set 34
                    i32.const 1
                    local.set 35
                    local.get 32
                    local.get 33
                    i32.and
                    i32.eqz
                    if
                      local.get 1
                      local.get 34
                      local.get 14
                      i32.mul
                      i32.const 2
                      i32.shl
                      i32.add
                      local.set 37
                      i32.const 0
                      local.set 36
                      v128.const 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255
                      local.set 42
                      block
                        loop
                          local.get 36
                          local.get 14
                          i32.ge_u
                          br_if 1
                          local.get 42
                          local.get 37
                          local.get 36
                          i32.const 2
                          i32.shl
                          i32.add
                          v128.load64_zero align=8
                          f64x2.promote_low_f32x4
                          local.get 3
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.sub
                          f64x2.abs
                          local.get 2
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.lt
                          v128.and
                          local.set 42
                          local.get 36
                          i32.const 2
                          i32.add
                          local.set 36
                          br 0
                        end
                      end
                      local.get 42
                      i32x4.all_true
                      local.set 35
                    end
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 34
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    local.get 35
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              end
            end
            local.get 40
            i32x4.extract_lane 3
            local.tee 31
            if
              local.get 41
              i32x4.extract_lane 3
              local.set 32
              local.get 25
              i32.const 2
              i32.shl
              i32.const 3
              i32.add
              local.set 39
              local.get 31
              local.get 32
              i32.const -1
              i32.xor
              i32.and
              i32.eqz
              if
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 24
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    i32.const 1
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              else
                block
                  loop
                    local.get 31
                    i32.eqz
                    br_if 1
                    local.get 39
                    i32.const 5
                    i32.shl
                    local.get 31
                    i32.ctz
                    i32.add
                    local.set 38
                    local.get 31
                    i32.const 0
                    local.get 31
                    i32.sub
                    i32.and
                    local.set 33
                    local.get 31
                    local.get 33
                    i32.xor
                    local.set 31
                    local.get 24
                    local.get 38
                    i32.add
                    local.set 34
                    i32.const 1
                    local.set 35
                    local.get 32
                    local.get 33
                    i32.and
                    i32.eqz
                    if
                      local.get 1
                      local.get 34
                      local.get 14
                      i32.mul
                      i32.const 2
                      i32.shl
                      i32.add
                      local.set 37
                      i32.const 0
                      local.set 36
                      v128.const 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255 255
                      local.set 42
                      block
                        loop
                          local.get 36
                          local.get 14
                          i32.ge_u
                          br_if 1
                          local.get 42
                          local.get 37
                          local.get 36
                          i32.const 2
                          i32.shl
                          i32.add
                          v128.load64_zero align=8
                          f64x2.promote_low_f32x4
                          local.get 3
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.sub
                          f64x2.abs
                          local.get 2
                          local.get 36
                          i32.const 3
                          i32.shl
                          i32.add
                          v128.load align=16
                          f64x2.lt
                          v128.and
                          local.set 42
                          local.get 36
                          i32.const 2
                          i32.add
                          local.set 36
                          br 0
                        end
                      end
                      local.get 42
                      i32x4.all_true
                      local.set 35
                    end
                    local.get 17
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 34
                    i32.store align=4
                    local.get 18
                    local.get 20
                    i32.const 2
                    i32.shl
                    i32.add
                    local.get 23
                    local.get 38
                    i32.add
                    i32.store align=4
                    local.get 20
                    local.get 35
                    i32.add
                    local.set 20
                    br 0
                  end
                end
              end
            end
          end
          local.get 25
          i32.const 1
          i32.add
          local.set 25
          local.get 27
          i32.const 16
          i32.add
          local.set 27
          br 0
        end
      end
      local.get 21
      i32.const 1
      i32.add
      local.set 21
      br 0
    end
  end
  local.get 20
)
(func $sums3 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (local i32 i32 i32 f64 f64 v128 v128 v128 v128 v128 v128 v128 v128 f64 v128)
  i32.const 0
  local.set 9
  block
    loop
      local.get 9
      local.get 2
      i32.ge_u
      br_if 1
      local.get 0
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      local.set 10
      local.get 7
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.const 1
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 4
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.mul
      f64.const 1e-7
      f64.add
      f64.div
      local.tee 12
      f64.store align=8
      local.get 13
      local.get 12
      f64.add
      local.set 13
      local.get 12
      f64x2.splat
      local.set 14
      local.get 5
      local.get 10
      i32.const 96
      i32.mul
      i32.add
      local.set 11
      local.get 11
      v128.load align=16
      local.set 23
      local.get 15
      local.get 23
      f64x2.add
      local.set 15
      local.get 16
      local.get 14
      local.get 23
      f64x2.mul
      f64x2.add
      local.set 16
      local.get 11
      v128.load offset=32 align=16
      local.set 23
      local.get 17
      local.get 23
      f64x2.add
      local.set 17
      local.get 18
      local.get 14
      local.get 23
      f64x2.mul
      f64x2.add
      local.set 18
      local.get 11
      v128.load offset=64 align=16
      local.set 23
      local.get 19
      local.get 23
      f64x2.add
      local.set 19
      local.get 20
      local.get 14
      local.get 23
      f64x2.mul
      f64x2.add
      local.set 20
      local.get 6
      local.get 10
      i32.const 24
      i32.mul
      i32.add
      local.set 11
      local.get 21
      local.get 14
      local.get 11
      v128.load align=16
      f64x2.mul
      f64x2.add
      local.set 21
      local.get 22
      local.get 12
      local.get 11
      f64.load offset=16 align=8
      f64.mul
      f64.add
      local.set 22
      local.get 9
      i32.const 1
      i32.add
      local.set 9
      br 0
    end
  end
  local.get 8
  local.get 15
  v128.store align=16
  local.get 8
  local.get 16
  v128.store offset=16 align=16
  local.get 8
  local.get 17
  v128.store offset=32 align=16
  local.get 8
  local.get 18
  v128.store offset=48 align=16
  local.get 8
  local.get 19
  v128.store offset=64 align=16
  local.get 8
  local.get 20
  v128.store offset=80 align=16
  local.get 8
  local.get 21
  v128.store offset=96 align=16
  local.get 8
  local.get 22
  f64.store offset=112 align=8
  local.get 8
  local.get 13
  f64.store offset=120 align=8
)
(func $sums1 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (local i32 i32 i32 f64 f64 f64 f64 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
  i32.const 0
  local.set 9
  block
    loop
      local.get 9
      local.get 2
      i32.ge_u
      br_if 1
      local.get 0
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      local.set 10
      local.get 7
      local.get 9
      i32.const 3
      i32.shl
      i32.add
      f64.const 1
      local.get 3
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      local.get 4
      local.get 1
      local.get 9
      i32.const 2
      i32.shl
      i32.add
      i32.load align=4
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.mul
      f64.const 1e-7
      f64.add
      f64.div
      local.tee 12
      f64.store align=8
      local.get 13
      local.get 12
      f64.add
      local.set 13
      local.get 12
      f64x2.splat
      local.set 16
      local.get 5
      local.get 10
      i32.const 5
      i32.shl
      i32.add
      local.set 11
      local.get 11
      v128.load align=16
      local.set 17
      local.get 11
      v128.load offset=16 align=16
      local.set 18
      local.get 19
      local.get 17
      f64x2.add
      local.set 19
      local.get 20
      local.get 16
      local.get 17
      f64x2.mul
      f64x2.add
      local.set 20
      local.get 14
      local.get 12
      local.get 6
      local.get 10
      i32.const 3
      i32.shl
      i32.add
      f64.load align=8
      f64.mul
      f64.add
      local.set 14
      local.get 17
      local.get 18
      i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      local.set 23
      local.get 17
      local.get 18
      i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
      local.set 24
      local.get 21
      local.get 23
      local.get 24
      f64x2.add
      f64x2.add
      local.set 21
      local.get 22
      local.get 23
      local.get 23
      f64x2.mul
      local.get 24
      local.get 24
      f64x2.mul
      f64x2.add
      f64x2.add
      local.set 22
      local.get 17
      local.get 18
      f64x2.mul
      local.tee 25
      f64x2.extract_lane 0
      local.get 25
      f64x2.extract_lane 1
      f64.add
      local.get 15
      f64.add
      local.set 15
      local.get 9
      i32.const 1
      i32.add
      local.set 9
      br 0
    end
  end
  local.get 8
  local.get 19
  v128.store align=16
  local.get 8
  local.get 20
  v128.store offset=16 align=16
  local.get 8
  local.get 14
  f64.store offset=32 align=8
  local.get 8
  local.get 13
  f64.store offset=40 align=8
  local.get 8
  local.get 21
  v128.store offset=48 align=16
  local.get 8
  local.get 22
  v128.store offset=64 align=16
  local.get 8
  local.get 15
  f64.store offset=80 align=8
)
